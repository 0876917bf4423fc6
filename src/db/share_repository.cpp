#include <fmt/format.h>

#include "db/repositories.hpp"
#include "db/track_columns.hpp"

namespace st::db {

namespace {

constexpr const char* kShareSelect =
    "SELECT s.id, s.secret, s.user_id, u.username, s.description, s.created_at, s.expires_at, s.last_visited_at, "
    "s.visit_count FROM shares s JOIN users u ON u.id = s.user_id";

class SqlShareRepository final : public model::ShareRepository {
 public:
  explicit SqlShareRepository(Pool& pool) : pool_(pool) {}

  void create(const model::Share& s, const std::vector<std::string>& ids) override {
    transaction(pool_, [&](Connection& c) {
      c.query("INSERT INTO shares (id, secret, user_id, description, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
              {s.id, s.secret, s.user_id, opt(s.description), s.created_at, opt(s.expires_at)});
      for (std::size_t i = 0; i < ids.size(); ++i)
        c.query("INSERT INTO share_tracks (share_id, position, track_id) VALUES (?, ?, ?)",
                {s.id, static_cast<std::int64_t>(i), ids[i]});
    });
  }

  std::vector<model::Share> list_by_user(std::string_view user) override {
    auto c = pool_.acquire();
    auto rows = user.empty() ? c->query(std::string(kShareSelect) + " ORDER BY s.created_at DESC")
                             : c->query(std::string(kShareSelect) + " WHERE s.user_id = ? ORDER BY s.created_at DESC",
                                        {std::string(user)});
    std::vector<model::Share> out;
    for (const auto& r : rows.rows) out.push_back(read(*c, r));
    return out;
  }

  std::optional<model::Share> find(std::string_view id) override { return one(" WHERE s.id = ?", id); }
  std::optional<model::Share> find_by_secret(std::string_view secret) override {
    return one(" WHERE s.secret = ?", secret);
  }

  void update(std::string_view id, const std::optional<std::string>& description,
              std::optional<std::optional<util::Micros>> expires_at) override {
    auto c = pool_.acquire();
    if (description) c->query("UPDATE shares SET description = ? WHERE id = ?", {*description, std::string(id)});
    if (expires_at) c->query("UPDATE shares SET expires_at = ? WHERE id = ?", {opt(*expires_at), std::string(id)});
  }

  void remove(std::string_view id) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM shares WHERE id = ?", {std::string(id)});
  }

  void record_visit(std::string_view id, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE shares SET visit_count = visit_count + 1, last_visited_at = ? WHERE id = ?", {now, std::string(id)});
  }

 private:
  std::optional<model::Share> one(const char* where, std::string_view key) {
    auto c = pool_.acquire();
    auto rows = c->query(std::string(kShareSelect) + where, {std::string(key)});
    if (rows.empty()) return std::nullopt;
    return read(*c, rows.rows.front());
  }

  static model::Share read(Connection& c, const Row& r) {
    model::Share s;
    s.id = r.text(0);
    s.secret = r.text(1);
    s.user_id = r.text(2);
    s.username = r.text(3);
    s.description = r.opt_text(4);
    s.created_at = r.integer(5);
    s.expires_at = r.opt_integer(6);
    s.last_visited_at = r.opt_integer(7);
    s.visit_count = r.integer(8);
    for (const auto& t : c.query(fmt::format("SELECT {} FROM share_tracks st JOIN tracks t ON t.id = st.track_id {} "
                                             "WHERE st.share_id = ? ORDER BY st.position",
                                             kTrackColumns, kTrackJoins),
                                 {s.id})
                             .rows)
      s.tracks.push_back(read_track(t));
    return s;
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::ShareRepository> make_share_repository(Pool& pool) {
  return std::make_unique<SqlShareRepository>(pool);
}

}  // namespace st::db
