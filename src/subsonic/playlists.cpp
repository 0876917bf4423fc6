// Playlists: the same playlists as the web app (one model), owned by their user; others' public
// playlists are visible and read-only.
#include <set>

#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::subsonic {

namespace {

constexpr model::Page kAll{1, 10'000};

double total_duration(const std::vector<model::Track>& tracks) {
  double d = 0;
  for (const auto& t : tracks) d += t.duration_secs;
  return d;
}

model::Playlist visible(Call& c, std::string_view raw) {
  auto id = as_id(raw);
  auto p = id ? c.d.playlists.find(*id) : std::nullopt;
  if (!p || (!p->is_public && p->user_id != c.user.id && !c.is_admin())) not_found("Playlist");
  return *p;
}

model::Playlist owned(Call& c, std::string_view raw) {
  auto p = visible(c, raw);
  if (p.user_id != c.user.id && !c.is_admin()) fail(Code::not_authorized, "Only the owner may change this playlist");
  return p;
}

std::string checked_name(std::string_view raw) {
  auto name = std::string(util::trim(raw));
  if (name.empty() || name.size() > 200) fail(Code::generic, "A playlist name must be 1 to 200 characters");
  return name;
}

// The tracks to add, checked to exist (unknown ids are an error, nothing is changed).
std::vector<std::string> existing_tracks(Call& c, const char* key) {
  auto ids = c.ids(key);
  auto found = c.d.catalog.tracks_by_ids(ids);
  std::set<std::string> have;
  for (const auto& t : found) have.insert(t.id);
  for (const auto& id : ids)
    if (!have.count(id)) not_found("Song " + id);
  return ids;
}

Node playlist_with_songs(Call& c, const model::Playlist& p) {
  auto tracks = c.d.playlists.tracks(p.id);
  Node body;
  auto& n = body.object("playlist");
  n = playlist_node(c, p, total_duration(tracks));
  n.list("entry") = song_nodes(c, tracks);
  return body;
}

Reply get_playlists(Call& c) {
  std::string owner = c.user.id;
  bool only_public = false;
  if (auto u = c.opt_str("username"); u && !u->empty() && *u != c.user.username) {
    auto other = c.d.users.find_by_username(*u);
    if (!other) not_found("User");
    owner = other->id;
    only_public = !c.is_admin();
  }
  std::vector<model::Playlist> list = c.d.playlists.list_by_user(owner, only_public, kAll).items;
  if (owner == c.user.id)
    for (auto& p : c.d.playlists.list_public(kAll).items)
      if (p.user_id != c.user.id) list.push_back(std::move(p));
  Node body;
  auto& out = body.object("playlists").list("playlist");
  for (const auto& p : list) out.push_back(playlist_node(c, p, total_duration(c.d.playlists.tracks(p.id))));
  return body;
}

Reply get_playlist(Call& c) { return playlist_with_songs(c, visible(c, c.str("id"))); }

Reply create_playlist(Call& c) {
  auto songs = existing_tracks(c, "songId");
  auto now = util::now_micros();
  model::Playlist p;
  if (auto pid = c.opt_str("playlistId"); pid && !pid->empty()) {
    p = owned(c, *pid);
    for (const auto& t : c.d.playlists.tracks(p.id)) c.d.playlists.remove_track(p.id, t.id, now);
    if (auto name = c.opt_str("name"); name && !name->empty()) c.d.playlists.update(p.id, {checked_name(*name), {}, {}, {}}, now);
  } else {
    p.id = util::new_uuid();
    p.name = checked_name(c.str("name"));
    p.user_id = c.user.id;
    p.created_at = p.updated_at = now;
    c.d.playlists.create(p);
  }
  for (const auto& id : songs) c.d.playlists.add_track(p.id, id, std::nullopt, now);
  return playlist_with_songs(c, *c.d.playlists.find(p.id));
}

Reply update_playlist(Call& c) {
  auto p = owned(c, c.str("playlistId"));
  auto now = util::now_micros();
  auto add = existing_tracks(c, "songIdToAdd");
  model::PlaylistChanges ch;
  if (auto name = c.opt_str("name")) ch.name = checked_name(*name);
  if (auto comment = c.opt_str("comment")) ch.description = *comment;
  ch.is_public = c.opt_bool("public");
  auto current = c.d.playlists.tracks(p.id);
  std::vector<std::string> remove;
  for (const auto& raw : c.params.all("songIndexToRemove")) {
    auto i = util::parse_int(raw);
    if (!i || *i < 0 || *i >= static_cast<long long>(current.size()))
      fail(Code::generic, "songIndexToRemove is not a position in the playlist: " + raw);
    remove.push_back(current[static_cast<std::size_t>(*i)].id);
  }
  if (ch.name || ch.description || ch.is_public) c.d.playlists.update(p.id, ch, now);
  for (const auto& id : remove) c.d.playlists.remove_track(p.id, id, now);
  for (const auto& id : add) c.d.playlists.add_track(p.id, id, std::nullopt, now);
  return Node{};
}

Reply delete_playlist(Call& c) {
  auto p = owned(c, c.str("id"));
  c.d.playlists.remove(p.id);
  return Node{};
}

}  // namespace

void add_playlist_methods(MethodTable& t) {
  t.push_back({"getPlaylists", {get_playlists}});
  t.push_back({"getPlaylist", {get_playlist}});
  t.push_back({"createPlaylist", {create_playlist}});
  t.push_back({"updatePlaylist", {update_playlist}});
  t.push_back({"deletePlaylist", {delete_playlist}});
}

}  // namespace st::subsonic
