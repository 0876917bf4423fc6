// search (1.0, deprecated), search2 (folders) and search3 (tags). An empty query lists everything, page by
// page: that is how apps such as Symfonium synchronise a whole library.
#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/fold.hpp"

namespace st::subsonic {

namespace {

model::Page window(Call& c, const char* count_key, const char* offset_key, std::int64_t fallback) {
  return model::Page::window(c.int_or(offset_key, 0, 0, 1'000'000'000), c.int_or(count_key, fallback, 0, 1000));
}

bool is_everything(const std::string& q) {
  auto s = q;
  std::erase(s, '"');
  std::erase(s, '*');
  std::erase(s, ' ');
  return s.empty();
}

Reply search(Call& c, bool id3) {
  auto q = c.opt_str("query").value_or("");
  auto artists = window(c, "artistCount", "artistOffset", 20);
  auto albums = window(c, "albumCount", "albumOffset", 20);
  auto songs = window(c, "songCount", "songOffset", 20);
  model::SearchHits hits;
  if (is_everything(q)) {
    auto folder = music_folder_prefix(c);
    if (artists.per_page > 0) hits.artists = c.d.catalog.list_artists(artists).items;
    if (albums.per_page > 0) {
      model::AlbumQuery aq;
      aq.order = model::AlbumOrder::title;
      aq.user_id = c.user.id;
      aq.path_prefix = folder;
      aq.limit = albums.per_page;
      aq.offset = albums.offset();
      hits.albums = c.d.catalog.query_albums(aq);
    }
    if (songs.per_page > 0) {
      model::TrackFilter f;
      f.path_prefix = folder;
      // In the order songs were added, as Navidrome lists them ("natural order"): what a sync paging
      // through has read does not move as the library grows, and a page reads neighbouring rows instead
      // of 500 scattered ones (the title order's).
      hits.tracks = c.d.catalog.list_tracks(f, model::TrackOrder::added, songs).items;
    }
  } else {
    auto words = util::search_words(q);
    if (!words.empty()) hits = c.d.catalog.search(words, artists, albums, songs);
  }
  Node body;
  add_item_lists(c, body.object(id3 ? "searchResult3" : "searchResult2"), hits.artists, hits.albums, hits.tracks, id3);
  return body;
}

// Subsonic 1.0's search: songs only, matched on any of artist, album, title and any.
Reply search1(Call& c) {
  std::string text;
  for (const char* k : {"artist", "album", "title", "any"})
    if (auto v = c.opt_str(k)) text += *v + " ";
  auto words = util::search_words(text);
  if (words.empty()) fail(Code::missing_parameter, "Required parameter is missing: any (or artist, album, title)");
  auto count = c.int_or("count", 20, 0, 1000);
  auto offset = c.int_or("offset", 0, 0, 1'000'000'000);
  auto none = model::Page::window(0, 0);
  auto hits = c.d.catalog.search(words, none, none, model::Page::window(offset, count));
  Node body;
  auto& root = body.object("searchResult");
  root.set("offset", offset);
  root.set("totalHits", hits.total_tracks);
  root.list("match") = song_nodes(c, hits.tracks);
  return body;
}

}  // namespace

void add_search_methods(MethodTable& t) {
  t.push_back({"search", {search1}});
  t.push_back({"search2", {[](Call& c) { return search(c, false); }}});
  t.push_back({"search3", {[](Call& c) { return search(c, true); }}});
}

}  // namespace st::subsonic
