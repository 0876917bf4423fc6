#include "db/pg_cluster_locks.hpp"

#include <spdlog/spdlog.h>

#include "lib/pq/connection.hpp"
#include "util/strings.hpp"

namespace st::db {

namespace {

// The first half of every two-part advisory key of ours (the migrator's single-key lock lives apart).
constexpr const char* kLockClass = "7310002";
constexpr std::string_view kAppPrefix = "soundtime:";

class PgLease final : public model::ClusterLease {
 public:
  explicit PgLease(std::unique_ptr<lib::pq::Connection> c) : c_(std::move(c)) {}
  bool alive() override {
    if (!c_) return false;
    try {
      // The lock is ours for as long as this session lives; a query that goes through proves it does.
      auto r = c_->exec_prepared("alive", {});
      if (r.rows() == 1) return true;
    } catch (const std::exception& e) {
      spdlog::warn("cluster: a lock's database session failed: {}", e.what());
    }
    c_.reset();  // closing the session frees the lock, if the server still had it
    return false;
  }

 private:
  std::unique_ptr<lib::pq::Connection> c_;
};

}  // namespace

std::string lease_conninfo(const std::string& url, std::string_view lock, std::string_view node) {
  std::string app = std::string(kAppPrefix) + std::string(lock) + ":" + std::string(node);
  if (app.size() > 63) app.resize(63);
  std::string out = url;
  out += url.find('?') == std::string::npos ? '?' : '&';
  out += "connect_timeout=5&keepalives=1&keepalives_idle=5&keepalives_interval=2&keepalives_count=3";
  out += "&tcp_user_timeout=15000&application_name=" + util::percent_encode(app);
  return out;
}

PgClusterLocks::PgClusterLocks(std::string url, std::string node_name, Pool& pool)
    : url_(std::move(url)), node_(std::move(node_name)), pool_(pool) {}

std::unique_ptr<model::ClusterLease> PgClusterLocks::try_take(std::string_view name) {
  try {
    auto c = std::make_unique<lib::pq::Connection>(lease_conninfo(url_, name, node_));
    c->prepare("take", std::string("SELECT pg_try_advisory_lock(") + kLockClass + ", hashtext($1))");
    c->prepare("alive", "SELECT 1");
    auto r = c->exec_prepared("take", {std::string(name)});
    if (r.rows() == 1 && r.value(0, 0) == std::optional<std::string_view>("t")) return std::make_unique<PgLease>(std::move(c));
  } catch (const std::exception& e) {
    spdlog::debug("cluster: cannot take the {} lock: {}", name, e.what());
  }
  return nullptr;
}

std::vector<model::LockHolder> PgClusterLocks::holders() {
  auto c = pool_.acquire();
  auto rows = c->query(std::string("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                                   // pg_locks shows every database of the server: only ours (another
                                   // SoundTime instance may keep its database beside this one).
                                   "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                                   "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                                   "AND l.classid = ") +
                       kLockClass + " AND a.application_name LIKE 'soundtime:%' ORDER BY a.backend_start");
  std::vector<model::LockHolder> out;
  for (const auto& row : rows.rows) {
    auto app = row.opt_text(0);
    if (!app) continue;
    std::string_view rest = std::string_view(*app).substr(kAppPrefix.size());
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) continue;
    out.push_back({std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))});
  }
  return out;
}

}  // namespace st::db
