// Bookmarks and the saved play queue (by id, and by index: indexBasedQueue).
#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/time.hpp"

namespace st::subsonic {

namespace {

Reply bookmarks(Call& c) {
  Node body;
  auto& list = body.object("bookmarks").list("bookmark");
  for (const auto& b : c.d.play_queues.bookmarks(c.user.id)) {
    Node n;
    n.set("position", b.position_ms);
    n.set("username", c.user.username);
    n.set("comment", b.comment);
    n.set("created", iso_time(b.created_at));
    n.set("changed", iso_time(b.updated_at));
    n.object("entry") = song_nodes(c, {b.track}).front();
    list.push_back(std::move(n));
  }
  return body;
}

Reply create_bookmark(Call& c) {
  auto t = require_song(c, c.str("id"));
  auto position = c.integer("position", 0, INT64_MAX / 2);
  c.d.play_queues.save_bookmark(c.user.id, t.id, position, c.opt_str("comment"), util::now_micros());
  return Node{};
}

Reply delete_bookmark(Call& c) {
  auto t = require_song(c, c.str("id"));
  c.d.play_queues.delete_bookmark(c.user.id, t.id);
  return Node{};
}

Reply play_queue(Call& c, bool by_index) {
  auto q = c.d.play_queues.play_queue(c.user.id);
  Node body;
  if (!q) return body;  // no saved queue: an empty answer, as the spec allows
  auto& n = body.object(by_index ? "playQueueByIndex" : "playQueue");
  if (q->current_index && *q->current_index < static_cast<int>(q->tracks.size())) {
    if (by_index) n.set("currentIndex", *q->current_index);
    else n.set("current", q->tracks[static_cast<std::size_t>(*q->current_index)].id);
  }
  n.set("position", q->position_ms);
  n.set("username", c.user.username);
  n.set("changed", iso_time(q->updated_at));
  n.set("changedBy", q->changed_by);
  n.list("entry") = song_nodes(c, q->tracks);
  return body;
}

Reply save_play_queue(Call& c, bool by_index) {
  auto ids = c.ids("id");
  auto found = c.d.catalog.tracks_by_ids(ids);
  if (found.size() != ids.size()) not_found("Song");
  std::optional<int> current;
  if (by_index) {
    if (auto i = c.opt_int("currentIndex", 0, 1'000'000)) {
      if (*i >= static_cast<std::int64_t>(ids.size()) && !ids.empty()) fail(Code::generic, "currentIndex is past the end of the queue");
      current = static_cast<int>(*i);
    } else if (!ids.empty()) {
      fail(Code::missing_parameter, "Required parameter is missing: currentIndex");
    }
  } else if (auto cur = c.opt_str("current"); cur && !cur->empty()) {
    auto id = as_id(*cur);
    for (std::size_t i = 0; id && i < ids.size(); ++i)
      if (ids[i] == *id) {
        current = static_cast<int>(i);
        break;
      }
    if (!current) fail(Code::generic, "current is not in the queue");
  }
  auto position = c.int_or("position", 0, 0, INT64_MAX / 2);
  c.d.play_queues.save_play_queue(c.user.id, ids, current, position, c.client, util::now_micros());
  return Node{};
}

}  // namespace

void add_bookmark_methods(MethodTable& t) {
  t.push_back({"getBookmarks", {bookmarks}});
  t.push_back({"createBookmark", {create_bookmark}});
  t.push_back({"deleteBookmark", {delete_bookmark}});
  t.push_back({"getPlayQueue", {[](Call& c) { return play_queue(c, false); }}});
  t.push_back({"savePlayQueue", {[](Call& c) { return save_play_queue(c, false); }}});
  t.push_back({"getPlayQueueByIndex", {[](Call& c) { return play_queue(c, true); }}});
  t.push_back({"savePlayQueueByIndex", {[](Call& c) { return save_play_queue(c, true); }}});
}

}  // namespace st::subsonic
