#include "db/repositories.hpp"

namespace st::db {

namespace {

class SqlStatsRepository final : public model::StatsRepository {
 public:
  explicit SqlStatsRepository(Pool& pool) : pool_(pool) {}

  model::AdminCounts admin_counts(long long now) override {
    auto c = pool_.acquire();
    auto rows = c->query(
        "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM tracks), (SELECT COUNT(*) FROM albums), "
        "(SELECT COUNT(*) FROM artists), (SELECT COUNT(*) FROM blocked_domains), "
        "(SELECT COUNT(*) FROM remote_tracks), (SELECT COUNT(*) FROM playlists), "
        "(SELECT COUNT(*) FROM auth_sessions WHERE revoked_at IS NULL AND expires_at > ?)",
        {static_cast<std::int64_t>(now)});
    const Row& r = rows.rows.at(0);
    model::AdminCounts a;
    a.total_users = r.integer(0);
    a.total_tracks = r.integer(1);
    a.total_albums = r.integer(2);
    a.total_artists = r.integer(3);
    a.total_blocked_domains = r.integer(4);
    a.total_remote_tracks = r.integer(5);
    a.total_playlists = r.integer(6);
    a.active_sessions = r.integer(7);
    return a;
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::StatsRepository> make_stats_repository(Pool& pool) {
  return std::make_unique<SqlStatsRepository>(pool);
}

}  // namespace st::db
