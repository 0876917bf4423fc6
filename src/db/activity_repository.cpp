#include <fmt/format.h>

#include "db/repositories.hpp"
#include "db/track_columns.hpp"

namespace st::db {

namespace {

// History rows: the track columns, then the listen's own.
model::HistoryEntry read_entry(const Row& r) {
  model::HistoryEntry e;
  e.track = read_track(r);
  std::size_t o = kTrackColumnCount;
  e.id = r.text(o);
  e.listened_at = r.integer(o + 1);
  e.duration_listened = r.real(o + 2);
  e.source_context = r.opt_text(o + 3);
  e.completed = r.boolean(o + 4);
  e.skipped = r.boolean(o + 5);
  e.skip_position = r.opt_real(o + 6);
  return e;
}

const std::string kHistorySelect =
    fmt::format("SELECT {}, h.id, h.listened_at, h.duration_listened, h.source_context, h.completed, h.skipped, "
                "h.skip_position FROM listen_history h JOIN tracks t ON t.id = h.track_id {}",
                kTrackColumns, kTrackJoins);

class SqlActivityRepository final : public model::ActivityRepository {
 public:
  explicit SqlActivityRepository(Pool& pool) : pool_(pool) {}

  void add_favorite(std::string_view user_id, std::string_view track_id, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO favorites (user_id, track_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
             {std::string(user_id), std::string(track_id), now});
  }

  void remove_favorite(std::string_view user_id, std::string_view track_id) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM favorites WHERE user_id = ? AND track_id = ?", {std::string(user_id), std::string(track_id)});
  }

  model::Paged<model::Track> favorites(std::string_view user_id, model::Page page) override {
    auto c = pool_.acquire();
    model::Paged<model::Track> out;
    out.total = c->query("SELECT COUNT(*) FROM favorites WHERE user_id = ?", {std::string(user_id)}).rows.at(0).integer(0);
    auto rows = c->query(fmt::format("SELECT {} FROM favorites f JOIN tracks t ON t.id = f.track_id {} "
                                     "WHERE f.user_id = ? ORDER BY f.created_at DESC, t.id LIMIT ? OFFSET ?",
                                     kTrackColumns, kTrackJoins),
                         {std::string(user_id), page.per_page, page.offset()});
    for (const auto& r : rows.rows) out.items.push_back(read_track(r));
    return out;
  }

  std::vector<std::string> favorited_among(std::string_view user_id, const std::vector<std::string>& ids) override {
    std::vector<std::string> out;
    if (ids.empty()) return out;
    std::string in;
    std::vector<Value> params{std::string(user_id)};
    for (const auto& id : ids) {
      in += in.empty() ? "?" : ", ?";
      params.push_back(id);
    }
    auto c = pool_.acquire();
    for (const auto& r :
         c->query("SELECT track_id FROM favorites WHERE user_id = ? AND track_id IN (" + in + ")", params).rows)
      out.push_back(r.text(0));
    return out;
  }

  void record_listen(const model::Listen& l) override {
    transaction(pool_, [&](Connection& c) {
      c.query(
          "INSERT INTO listen_history (id, user_id, track_id, listened_at, duration_listened, source_context, "
          "completed, skipped, skip_position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {l.id, l.user_id, l.track_id, l.listened_at, l.duration_listened, opt(l.source_context), l.completed,
           l.skipped, opt(l.skip_position)});
      c.query("UPDATE tracks SET play_count = play_count + 1 WHERE id = ?", {l.track_id});
    });
  }

  model::Paged<model::HistoryEntry> history(std::string_view user_id, model::Page page) override {
    auto c = pool_.acquire();
    model::Paged<model::HistoryEntry> out;
    out.total =
        c->query("SELECT COUNT(*) FROM listen_history WHERE user_id = ?", {std::string(user_id)}).rows.at(0).integer(0);
    for (const auto& r : c->query(kHistorySelect + " WHERE h.user_id = ? ORDER BY h.listened_at DESC, h.id "
                                                   "LIMIT ? OFFSET ?",
                                  {std::string(user_id), page.per_page, page.offset()})
                             .rows)
      out.items.push_back(read_entry(r));
    return out;
  }

  std::vector<model::HistoryEntry> recent_distinct(std::string_view user_id, std::int64_t limit) override {
    auto c = pool_.acquire();
    std::vector<model::HistoryEntry> out;
    // The newest listen per track, newest first.
    auto rows = c->query(kHistorySelect +
                             " WHERE h.user_id = ? AND h.listened_at = (SELECT MAX(h2.listened_at) FROM listen_history h2 "
                             "WHERE h2.user_id = h.user_id AND h2.track_id = h.track_id) "
                             "ORDER BY h.listened_at DESC LIMIT ?",
                         {std::string(user_id), limit});
    for (const auto& r : rows.rows) out.push_back(read_entry(r));
    return out;
  }

  std::vector<std::string> top_artists(std::string_view user_id, std::int64_t limit) override {
    return top("t.artist_id", user_id, limit);
  }
  std::vector<std::string> top_genres(std::string_view user_id, std::int64_t limit) override {
    return top("t.genre", user_id, limit);
  }

  std::vector<model::Track> trending(util::Micros since, std::int64_t limit) override {
    auto c = pool_.acquire();
    std::vector<model::Track> out;
    auto rows = c->query(fmt::format("SELECT {} FROM (SELECT track_id, COUNT(*) AS n FROM listen_history "
                                     "WHERE listened_at >= ? GROUP BY track_id) lh JOIN tracks t ON t.id = lh.track_id "
                                     "{} ORDER BY lh.n DESC, t.play_count DESC, t.id LIMIT ?",
                                     kTrackColumns, kTrackJoins),
                         {since, limit});
    for (const auto& r : rows.rows) out.push_back(read_track(r));
    return out;
  }

 private:
  std::vector<std::string> top(const char* column, std::string_view user_id, std::int64_t limit) {
    auto c = pool_.acquire();
    std::vector<std::string> out;
    auto rows = c->query(fmt::format(
                             "SELECT {0}, SUM(x.w) AS weight FROM ("
                             "SELECT * FROM (SELECT track_id, CASE WHEN completed THEN 1.0 WHEN skipped THEN 0.1 "
                             "ELSE 0.5 END AS w FROM listen_history WHERE user_id = ? ORDER BY listened_at DESC LIMIT 50) h "
                             "UNION ALL SELECT track_id, 1.0 AS w FROM favorites WHERE user_id = ?) x "
                             "JOIN tracks t ON t.id = x.track_id WHERE {1} "
                             "GROUP BY {0} ORDER BY weight DESC, {0} LIMIT ?",
                             column, std::string_view(column) == "t.genre" ? "t.genre IS NOT NULL AND t.genre <> ''" : "1 = 1"),
                         {std::string(user_id), std::string(user_id), limit});
    for (const auto& r : rows.rows) out.push_back(r.text(0));
    return out;
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::ActivityRepository> make_activity_repository(Pool& pool) {
  return std::make_unique<SqlActivityRepository>(pool);
}

}  // namespace st::db
