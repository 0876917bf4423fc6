#include "db/open.hpp"

#include "db/pg_change_feed.hpp"
#include "db/pg_cluster_locks.hpp"
#include "db/pg_rate_buckets.hpp"
#include "db/postgres_backend.hpp"
#include "db/sqlite_backend.hpp"
#include "model/errors.hpp"

namespace st::db {

namespace {
bool has_prefix(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
}  // namespace

std::unique_ptr<model::ChangeFeed> open_change_feed(const DatabaseConfig& config, Pool& pool) {
  if (has_prefix(config.url, "postgres://") || has_prefix(config.url, "postgresql://"))
    return std::make_unique<PgChangeFeed>(config.url, pool);
  return nullptr;
}

std::unique_ptr<model::RateBuckets> open_rate_buckets(Pool& pool) {
  if (pool.dialect() == Dialect::postgres) return std::make_unique<PgRateBuckets>(pool);
  return nullptr;
}

std::unique_ptr<model::ClusterLocks> open_cluster_locks(const DatabaseConfig& config, std::string node_name, Pool& pool) {
  if (pool.dialect() == Dialect::postgres) return std::make_unique<PgClusterLocks>(config.url, std::move(node_name), pool);
  return nullptr;
}

bool is_supported_url(const std::string& url) {
  return has_prefix(url, "sqlite://") || has_prefix(url, "postgres://") || has_prefix(url, "postgresql://");
}

std::unique_ptr<Pool> open_pool(const DatabaseConfig& config) {
  const std::string& url = config.url;
  if (has_prefix(url, "sqlite://")) {
    std::string path = url.substr(9);
    if (path.empty()) throw model::StorageError("DATABASE_URL has no SQLite file path");
    if (!is_plain_sqlite_file(path))
      return std::make_unique<Pool>([path] { return open_sqlite(path); }, config.pool_size);
    auto checkpointer = std::make_shared<WalCheckpointer>(path);
    return std::make_unique<Pool>([path, checkpointer] { return open_sqlite(path, checkpointer); }, config.pool_size);
  }
  if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://")) {
    return std::make_unique<Pool>([url] { return open_postgres(url); }, config.pool_size);
  }
  throw model::StorageError("DATABASE_URL must start with sqlite:// or postgres://");
}

}  // namespace st::db
