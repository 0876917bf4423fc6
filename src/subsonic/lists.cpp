// Album and song lists: getAlbumList(2) of every type, random songs, songs by genre, now playing,
// starred items.
#include <fmt/format.h>

#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"

namespace st::subsonic {

namespace {

model::AlbumQuery album_query(Call& c) {
  auto type = c.str("type");
  model::AlbumQuery q;
  q.user_id = c.user.id;
  q.limit = c.int_or("size", 10, 0, 500);
  q.offset = c.int_or("offset", 0, 0, 1'000'000'000);
  q.path_prefix = music_folder_prefix(c);
  if (type == "random") q.order = model::AlbumOrder::random;
  else if (type == "newest") q.order = model::AlbumOrder::newest;
  else if (type == "highest") q.order = model::AlbumOrder::highest;
  else if (type == "frequent") q.order = model::AlbumOrder::frequent;
  else if (type == "recent") q.order = model::AlbumOrder::recent;
  else if (type == "alphabeticalByName") q.order = model::AlbumOrder::title;
  else if (type == "alphabeticalByArtist") q.order = model::AlbumOrder::artist;
  else if (type == "starred") q.order = model::AlbumOrder::starred;
  else if (type == "byYear") {
    q.order = model::AlbumOrder::year;
    q.from_year = static_cast<int>(c.integer("fromYear", 0, 9999));
    q.to_year = static_cast<int>(c.integer("toYear", 0, 9999));
  } else if (type == "byGenre") {
    q.order = model::AlbumOrder::title;
    q.genre = c.str("genre");
  } else {
    fail(Code::generic, fmt::format("Unknown album list type: {}", type));
  }
  return q;
}

Reply album_list(Call& c, bool id3) {
  auto albums = c.d.catalog.query_albums(album_query(c));
  Node body;
  if (id3) body.object("albumList2").list("album") = album_nodes(c, albums);
  else body.object("albumList").list("album") = album_dir_nodes(c, albums);
  return body;
}

Reply random_songs(Call& c) {
  model::RandomQuery q;
  q.limit = c.int_or("size", 10, 0, 500);
  if (auto g = c.opt_str("genre"); g && !g->empty()) q.genres.push_back(*g);
  if (auto y = c.opt_int("fromYear", 0, 9999)) q.year_min = static_cast<int>(*y);
  if (auto y = c.opt_int("toYear", 0, 9999)) q.year_max = static_cast<int>(*y);
  q.path_prefix = music_folder_prefix(c);
  Node body;
  body.object("randomSongs").list("song") = song_nodes(c, c.d.catalog.random_tracks(q));
  return body;
}

Reply songs_by_genre(Call& c) {
  model::TrackFilter f;
  f.genre = c.str("genre");
  f.path_prefix = music_folder_prefix(c);
  auto count = c.int_or("count", 10, 0, 500);
  auto offset = c.int_or("offset", 0, 0, 1'000'000'000);
  auto page = c.d.catalog.list_tracks(f, model::TrackOrder::title, model::Page::window(offset, count));
  Node body;
  body.object("songsByGenre").list("song") = song_nodes(c, page.items);
  return body;
}

Reply now_playing(Call& c) {
  auto entries = c.d.now_playing.current();
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.track_id);
  auto tracks = c.d.catalog.tracks_by_ids(ids);
  Node body;
  auto& list = body.object("nowPlaying").list("entry");
  auto now = std::chrono::steady_clock::now();
  for (const auto& e : entries) {
    for (const auto& t : tracks) {
      if (t.id != e.track_id) continue;
      auto n = song_node(c, t, nullptr);
      n.set("username", e.username);
      n.set("minutesAgo", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::minutes>(now - e.since).count()));
      n.set("playerId", 0);
      n.set("playerName", e.player);
      list.push_back(std::move(n));
      break;
    }
  }
  return body;
}

Reply starred(Call& c, bool id3) {
  Node body;
  add_item_lists(c, body.object(id3 ? "starred2" : "starred"), c.d.annotations.starred_artists(c.user.id),
                 c.d.annotations.starred_albums(c.user.id), c.d.annotations.starred_tracks(c.user.id), id3);
  return body;
}

}  // namespace

void add_list_methods(MethodTable& t) {
  t.push_back({"getAlbumList", {[](Call& c) { return album_list(c, false); }}});
  t.push_back({"getAlbumList2", {[](Call& c) { return album_list(c, true); }}});
  t.push_back({"getRandomSongs", {random_songs}});
  t.push_back({"getSongsByGenre", {songs_by_genre}});
  t.push_back({"getNowPlaying", {now_playing}});
  t.push_back({"getStarred", {[](Call& c) { return starred(c, false); }}});
  t.push_back({"getStarred2", {[](Call& c) { return starred(c, true); }}});
}

}  // namespace st::subsonic
