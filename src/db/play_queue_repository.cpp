#include <fmt/format.h>

#include "db/repositories.hpp"
#include "db/track_columns.hpp"

namespace st::db {

namespace {

class SqlPlayQueueRepository final : public model::PlayQueueRepository {
 public:
  explicit SqlPlayQueueRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::Bookmark> bookmarks(std::string_view user) override {
    auto c = pool_.acquire();
    std::vector<model::Bookmark> out;
    for (const auto& r : c->query(fmt::format("SELECT b.position_ms, b.comment, b.created_at, b.updated_at, {} FROM "
                                              "bookmarks b JOIN tracks t ON t.id = b.track_id {} WHERE b.user_id = ? "
                                              "ORDER BY b.updated_at DESC, t.id",
                                              kTrackColumns, kTrackJoins),
                                  {std::string(user)})
                             .rows) {
      model::Bookmark b;
      b.position_ms = r.integer(0);
      b.comment = r.opt_text(1);
      b.created_at = r.integer(2);
      b.updated_at = r.integer(3);
      b.track = read_track(r, 4);
      out.push_back(std::move(b));
    }
    return out;
  }

  void save_bookmark(std::string_view user, std::string_view track, std::int64_t position_ms,
                     const std::optional<std::string>& comment, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO bookmarks (user_id, track_id, position_ms, comment, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, track_id) DO UPDATE SET position_ms = excluded.position_ms, "
             "comment = excluded.comment, updated_at = excluded.updated_at",
             {std::string(user), std::string(track), position_ms, opt(comment), now, now});
  }

  void delete_bookmark(std::string_view user, std::string_view track) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM bookmarks WHERE user_id = ? AND track_id = ?", {std::string(user), std::string(track)});
  }

  std::optional<model::PlayQueue> play_queue(std::string_view user) override {
    auto c = pool_.acquire();
    auto head = c->query("SELECT current_index, position_ms, changed_by, updated_at FROM play_queues WHERE user_id = ?",
                         {std::string(user)});
    if (head.empty()) return std::nullopt;
    model::PlayQueue q;
    const auto& h = head.rows.front();
    q.current_index = h.opt_int(0);
    q.position_ms = h.integer(1);
    q.changed_by = h.text(2);
    q.updated_at = h.integer(3);
    for (const auto& r : c->query(fmt::format("SELECT {} FROM play_queue_tracks q JOIN tracks t ON t.id = q.track_id {} "
                                              "WHERE q.user_id = ? ORDER BY q.position",
                                              kTrackColumns, kTrackJoins),
                                  {std::string(user)})
                             .rows)
      q.tracks.push_back(read_track(r));
    // Tracks deleted since the queue was saved are gone from it: keep the index on the same track if possible.
    if (q.current_index && *q.current_index >= static_cast<int>(q.tracks.size()))
      q.current_index = q.tracks.empty() ? std::nullopt : std::optional<int>(static_cast<int>(q.tracks.size()) - 1);
    return q;
  }

  void save_play_queue(std::string_view user, const std::vector<std::string>& ids, std::optional<int> current_index,
                       std::int64_t position_ms, std::string_view changed_by, util::Micros now) override {
    transaction(pool_, [&](Connection& c) {
      c.query("DELETE FROM play_queues WHERE user_id = ?", {std::string(user)});
      if (ids.empty()) return;
      c.query("INSERT INTO play_queues (user_id, current_index, position_ms, changed_by, updated_at) VALUES (?, ?, ?, ?, ?)",
              {std::string(user), opt(current_index), position_ms, std::string(changed_by), now});
      for (std::size_t i = 0; i < ids.size(); ++i)
        c.query("INSERT INTO play_queue_tracks (user_id, position, track_id) VALUES (?, ?, ?)",
                {std::string(user), static_cast<std::int64_t>(i), ids[i]});
    });
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::PlayQueueRepository> make_play_queue_repository(Pool& pool) {
  return std::make_unique<SqlPlayQueueRepository>(pool);
}

}  // namespace st::db
