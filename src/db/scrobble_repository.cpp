// User settings and the scrobble delivery queue, for both engines.
#include "db/repositories.hpp"
#include "util/time.hpp"

namespace st::db {

namespace {

class SqlUserSettingsRepository final : public model::UserSettingsRepository {
 public:
  explicit SqlUserSettingsRepository(Pool& pool) : pool_(pool) {}

  std::optional<std::string> get(std::string_view user_id, std::string_view key) override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT value FROM user_settings WHERE user_id = ? AND key = ?",
                         {std::string(user_id), std::string(key)});
    if (rows.empty()) return std::nullopt;
    return rows.rows.front().text(0);
  }

  void put(std::string_view user_id, std::string_view key, std::string_view value) override {
    auto c = pool_.acquire();
    c->query(
        "INSERT INTO user_settings (user_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        {std::string(user_id), std::string(key), std::string(value), util::now_micros()});
  }

  void erase_prefix(std::string_view user_id, std::string_view prefix) override {
    auto c = pool_.acquire();
    // substr rather than LIKE: an underscore in the prefix is a wildcard for LIKE.
    c->query("DELETE FROM user_settings WHERE user_id = ? AND substr(key, 1, ?) = ?",
             {std::string(user_id), static_cast<std::int64_t>(prefix.size()), std::string(prefix)});
  }

 private:
  Pool& pool_;
};

const char* const kItemSelect =
    "SELECT id, user_id, service, kind, artist, track, album, duration_secs, listened_at, attempts, "
    "next_attempt_at, created_at FROM scrobble_queue";

model::ScrobbleItem read_item(const Row& r) {
  model::ScrobbleItem i;
  i.id = r.text(0);
  i.user_id = r.text(1);
  i.service = r.text(2);
  i.kind = r.text(3);
  i.artist = r.text(4);
  i.track = r.text(5);
  i.album = r.opt_text(6);
  i.duration_secs = r.real(7);
  i.listened_at = r.integer(8);
  i.attempts = static_cast<int>(r.integer(9));
  i.next_attempt_at = r.integer(10);
  i.created_at = r.integer(11);
  return i;
}

class SqlScrobbleQueueRepository final : public model::ScrobbleQueueRepository {
 public:
  explicit SqlScrobbleQueueRepository(Pool& pool) : pool_(pool) {}

  std::size_t push(const model::ScrobbleItem& i, std::size_t cap) override {
    return transaction(pool_, [&](Connection& c) -> std::size_t {
      if (i.kind == "now_playing")
        c.query("DELETE FROM scrobble_queue WHERE user_id = ? AND service = ? AND kind = 'now_playing'",
                {i.user_id, i.service});
      c.query(
          "INSERT INTO scrobble_queue (id, user_id, service, kind, artist, track, album, duration_secs, listened_at, "
          "attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {i.id, i.user_id, i.service, i.kind, i.artist, i.track, opt(i.album), i.duration_secs, i.listened_at,
           static_cast<std::int64_t>(i.attempts), i.next_attempt_at, i.created_at});
      auto count = c.query("SELECT COUNT(*) FROM scrobble_queue WHERE user_id = ? AND service = ?", {i.user_id, i.service})
                       .rows.front()
                       .integer(0);
      if (count <= static_cast<std::int64_t>(cap)) return 0;
      auto excess = count - static_cast<std::int64_t>(cap);
      return static_cast<std::size_t>(
          c.query("DELETE FROM scrobble_queue WHERE id IN (SELECT id FROM scrobble_queue WHERE user_id = ? AND "
                  "service = ? ORDER BY created_at, id LIMIT ?)",
                  {i.user_id, i.service, excess})
              .affected);
    });
  }

  std::vector<model::ScrobbleItem> due(util::Micros now, std::size_t limit) override {
    auto c = pool_.acquire();
    std::vector<model::ScrobbleItem> out;
    // A service's items leave in the order they were queued: one waiting out a back-off holds back the
    // newer items of its service (queued while it was down, each with its own schedule), so that when the
    // service comes back the listens arrive in the order they were heard.
    for (const auto& r : c->query(std::string(kItemSelect) +
                                      " WHERE next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM scrobble_queue o "
                                      "WHERE o.service = scrobble_queue.service AND o.next_attempt_at > ? AND "
                                      "(o.created_at < scrobble_queue.created_at OR (o.created_at = "
                                      "scrobble_queue.created_at AND o.id < scrobble_queue.id))) "
                                      "ORDER BY created_at, id LIMIT ?",
                                  {now, now, static_cast<std::int64_t>(limit)})
                             .rows)
      out.push_back(read_item(r));
    return out;
  }

  std::optional<util::Micros> next_due() override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT MIN(next_attempt_at) FROM scrobble_queue");
    if (rows.empty()) return std::nullopt;
    return rows.rows.front().opt_integer(0);
  }

  void remove(std::string_view id) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM scrobble_queue WHERE id = ?", {std::string(id)});
  }

  void reschedule(std::string_view id, int attempts, util::Micros next) override {
    auto c = pool_.acquire();
    c->query("UPDATE scrobble_queue SET attempts = ?, next_attempt_at = ? WHERE id = ?",
             {static_cast<std::int64_t>(attempts), next, std::string(id)});
  }

  std::size_t drop(std::string_view user_id, std::string_view service) override {
    auto c = pool_.acquire();
    return static_cast<std::size_t>(
        c->query("DELETE FROM scrobble_queue WHERE user_id = ? AND service = ?", {std::string(user_id), std::string(service)})
            .affected);
  }

  std::size_t pending(std::string_view user_id, std::string_view service) override {
    auto c = pool_.acquire();
    return static_cast<std::size_t>(
        c->query("SELECT COUNT(*) FROM scrobble_queue WHERE user_id = ? AND service = ?",
                 {std::string(user_id), std::string(service)})
            .rows.front()
            .integer(0));
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::UserSettingsRepository> make_user_settings_repository(Pool& pool) {
  return std::make_unique<SqlUserSettingsRepository>(pool);
}

std::unique_ptr<model::ScrobbleQueueRepository> make_scrobble_queue_repository(Pool& pool) {
  return std::make_unique<SqlScrobbleQueueRepository>(pool);
}

}  // namespace st::db
