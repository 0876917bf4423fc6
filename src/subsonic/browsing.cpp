// Browsing by tags (ID3): music folders, genres, artists, albums, songs, artist and album info,
// similar and top songs.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "library/radio.hpp"
#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"

namespace st::subsonic {

namespace {

model::Artist require_artist(Call& c, std::string_view raw) {
  auto id = as_id(raw);
  auto a = id ? c.d.catalog.find_artist(*id) : std::nullopt;
  if (!a) not_found("Artist");
  return *a;
}

model::Album require_album(Call& c, std::string_view raw) {
  auto id = as_id(raw);
  auto a = id ? c.d.catalog.find_album(*id) : std::nullopt;
  if (!a) not_found("Album");
  return *a;
}

// Every artist with albums, grouped by first letter. The list is the catalogue's shared copy; its rendering
// is shared too, by every request with the same stars and ratings of artists (most users have none).
Reply artists(Call& c) {
  auto all = c.d.catalog.album_artists();
  // The user's stars and ratings of every artist (those of artists not listed key the render too: harmless).
  auto notes = c.d.annotations.all_annotations(c.user.id, model::ItemKind::artist);
  std::string key;
  for (const auto& [id, n] : notes) key += fmt::format("{}:{}:{};", id, n.starred_at.value_or(0), n.rating);
  auto build = [all, notes = std::move(notes)] {
    Node root;
    root.set("ignoredArticles", kIgnoredArticles);
    auto& index = root.list("index");
    std::map<std::string, std::vector<Node>> groups;
    for (const auto& a : *all) {
      auto n = notes.find(a.artist.id);
      groups[index_letter(a.artist.name, true)].push_back(
          artist_node(a.artist, a.album_count, n == notes.end() ? nullptr : &n->second, a.has_cover));
    }
    for (auto& [letter, items] : groups) {
      Node idx;
      idx.set("name", letter);
      idx.list("artist") = std::move(items);
      index.push_back(std::move(idx));
    }
    return root;
  };
  Node body;
  body.object("artists").prerendered = c.d.renders.get(all, key, std::move(build));
  return body;
}

Reply artist(Call& c) {
  auto a = require_artist(c, c.str("id"));
  auto albums = c.d.catalog.artist_albums(a.id);
  auto n = artist_nodes(c, {a});
  Node body;
  auto& out = body.object("artist");
  out = std::move(n.front());
  out.list("album") = album_nodes(c, albums);
  return body;
}

Reply album(Call& c) {
  auto a = require_album(c, c.str("id"));
  auto nodes = album_nodes(c, {a});
  Node body;
  auto& out = body.object("album");
  out = std::move(nodes.front());
  out.list("song") = song_nodes(c, c.d.catalog.album_tracks(a.id));
  return body;
}

Reply song(Call& c) {
  auto t = require_song(c, c.str("id"));
  Node body;
  body.object("song") = std::move(song_nodes(c, {t}).front());
  return body;
}

Reply genres(Call& c) {
  Node body;
  auto& list = body.object("genres").list("genre");
  for (const auto& g : c.d.catalog.genre_counts()) {
    Node n;
    n.set("songCount", g.songs);
    n.set("albumCount", g.albums);
    n.text = g.name;
    list.push_back(std::move(n));
  }
  return body;
}

Reply music_folders(Call& c) {
  Node body;
  auto& list = body.object("musicFolders").list("musicFolder");
  for (std::size_t i = 0; i < c.d.music_folders.size(); ++i) {
    const auto& path = c.d.music_folders[i];
    auto slash = path.find_last_of('/');
    auto name = slash == std::string::npos || slash + 1 >= path.size() ? path : path.substr(slash + 1);
    list.push_back(Node().set("id", static_cast<std::int64_t>(i + 1)).set("name", i + 1 == c.d.music_folders.size() ? std::string("Uploads") : name));
  }
  return body;
}

// Similar artists: others sharing the artist's genres.
std::vector<model::Artist> similar_artists(Call& c, const model::Artist& a, std::int64_t count) {
  auto genres = c.d.catalog.artist_genres(a.id);
  std::vector<model::Artist> out;
  if (genres.empty() || count <= 0) return out;
  model::RandomQuery q;
  q.genres = genres;
  q.not_artist_id = a.id;
  q.limit = count * 4;
  std::vector<std::string> seen;
  for (const auto& t : c.d.catalog.random_tracks(q)) {
    if (std::find(seen.begin(), seen.end(), t.artist_id) != seen.end()) continue;
    seen.push_back(t.artist_id);
    if (auto ar = c.d.catalog.find_artist(t.artist_id)) out.push_back(*ar);
    if (static_cast<std::int64_t>(out.size()) >= count) break;
  }
  return out;
}

Reply artist_info(Call& c, bool id3) {
  auto a = require_artist(c, c.str("id"));
  auto count = c.int_or("count", 20, 0, 500);
  Node body;
  auto& info = body.object(id3 ? "artistInfo2" : "artistInfo");
  info.set("biography", a.bio.value_or(""));
  if (a.musicbrainz_id) info.set("musicBrainzId", *a.musicbrainz_id);
  if (a.image_url) {
    info.set("smallImageUrl", *a.image_url);
    info.set("mediumImageUrl", *a.image_url);
    info.set("largeImageUrl", *a.image_url);
  }
  auto similar = similar_artists(c, a, count);
  auto& list = info.list("similarArtist");
  list = artist_nodes(c, similar);
  return body;
}

Reply album_info(Call& c, bool id3) {
  auto raw = c.str("id");
  std::optional<model::Album> a;
  if (auto id = as_id(raw)) {
    a = c.d.catalog.find_album(*id);
    if (!a) {  // getAlbumInfo takes a song's id too
      if (auto t = c.d.catalog.find_track(*id); t && t->album_id) a = c.d.catalog.find_album(*t->album_id);
    }
  }
  if (!a) not_found("Album");
  Node body;
  auto& info = body.object(id3 ? "albumInfo" : "albumInfo");
  info.set("notes", "");
  if (a->musicbrainz_id) info.set("musicBrainzId", *a->musicbrainz_id);
  if (a->cover_url) {
    info.set("smallImageUrl", *a->cover_url);
    info.set("mediumImageUrl", *a->cover_url);
    info.set("largeImageUrl", *a->cover_url);
  }
  return body;
}

Reply similar_songs(Call& c, bool id3) {
  auto raw = c.str("id");
  auto count = c.int_or("count", 50, 0, 500);
  auto id = as_id(raw);
  if (!id) not_found("Item");
  model::RandomQuery q;
  q.limit = count;
  std::vector<std::string> seed_artists;
  if (auto t = c.d.catalog.find_track(*id)) {
    seed_artists.push_back(t->artist_id);
    if (t->genre) q.genres.push_back(*t->genre);
    q.exclude.push_back(t->id);
  } else if (auto al = c.d.catalog.find_album(*id)) {
    seed_artists.push_back(al->artist_id);
    if (al->genre) q.genres.push_back(*al->genre);
  } else if (auto ar = c.d.catalog.find_artist(*id)) {
    seed_artists.push_back(ar->id);
  } else {
    not_found("Item");
  }
  if (q.genres.empty() && !seed_artists.empty()) q.genres = c.d.catalog.artist_genres(seed_artists.front());
  std::vector<model::Track> picks;
  if (!q.genres.empty()) picks = c.d.catalog.random_tracks(q);
  if (static_cast<std::int64_t>(picks.size()) < count) {  // top up with the same artists
    model::RandomQuery more;
    more.artist_ids = seed_artists;
    more.exclude = q.exclude;
    for (const auto& t : picks) more.exclude.push_back(t.id);
    more.limit = count - static_cast<std::int64_t>(picks.size());
    for (auto& t : c.d.catalog.random_tracks(more)) picks.push_back(std::move(t));
  }
  Node body;
  body.object(id3 ? "similarSongs2" : "similarSongs").list("song") = song_nodes(c, picks);
  return body;
}

Reply top_songs(Call& c) {
  auto count = c.int_or("count", 50, 0, 500);
  std::vector<model::Artist> who;
  if (auto id = c.opt_str("id"); id && !id->empty()) who.push_back(require_artist(c, *id));
  else who = c.d.catalog.find_artists_by_name(c.str("artist"));
  std::vector<model::Track> tracks;
  for (const auto& a : who) {
    model::TrackFilter f;
    f.artist_id = a.id;
    auto page = c.d.catalog.list_tracks(f, model::TrackOrder::most_played, model::Page::window(0, count));
    for (auto& t : page.items) tracks.push_back(std::move(t));
  }
  std::stable_sort(tracks.begin(), tracks.end(), [](const auto& a, const auto& b) { return a.play_count > b.play_count; });
  if (static_cast<std::int64_t>(tracks.size()) > count) tracks.resize(static_cast<std::size_t>(count));
  Node body;
  body.object("topSongs").list("song") = song_nodes(c, tracks);
  return body;
}

}  // namespace

void add_browsing_methods(MethodTable& t) {
  t.push_back({"getMusicFolders", {music_folders}});
  t.push_back({"getGenres", {genres}});
  t.push_back({"getArtists", {artists}});
  t.push_back({"getArtist", {artist}});
  t.push_back({"getAlbum", {album}});
  t.push_back({"getSong", {song}});
  t.push_back({"getArtistInfo", {[](Call& c) { return artist_info(c, false); }}});
  t.push_back({"getArtistInfo2", {[](Call& c) { return artist_info(c, true); }}});
  t.push_back({"getAlbumInfo", {[](Call& c) { return album_info(c, false); }}});
  t.push_back({"getAlbumInfo2", {[](Call& c) { return album_info(c, true); }}});
  t.push_back({"getSimilarSongs", {[](Call& c) { return similar_songs(c, false); }}});
  t.push_back({"getSimilarSongs2", {[](Call& c) { return similar_songs(c, true); }}});
  t.push_back({"getTopSongs", {top_songs}});
}

}  // namespace st::subsonic
