#pragma once
#include <memory>
#include <string>

#include "db/pool.hpp"
#include "model/change_feed.hpp"
#include "model/cluster_locks.hpp"
#include "model/rate_buckets.hpp"

namespace st::db {

struct DatabaseConfig {
  std::string url;  // sqlite:///abs/path.db, sqlite://relative.db, postgres://... or postgresql://...
  std::size_t pool_size = 8;
};

// Opens the pool for url (creating the SQLite file's folder is the caller's job).
std::unique_ptr<Pool> open_pool(const DatabaseConfig& config);

// Changes heard by every node on the same database (PostgreSQL LISTEN/NOTIFY); nothing for SQLite,
// where there is one node.
std::unique_ptr<model::ChangeFeed> open_change_feed(const DatabaseConfig& config, Pool& pool);
// Rate-limit buckets shared by the nodes of one PostgreSQL database; none on SQLite (one node).
std::unique_ptr<model::RateBuckets> open_rate_buckets(Pool& pool);

// The leader's and the library task's locks of the nodes on one PostgreSQL database; none on SQLite.
std::unique_ptr<model::ClusterLocks> open_cluster_locks(const DatabaseConfig& config, std::string node_name, Pool& pool);

// True when url names a database engine we support.
bool is_supported_url(const std::string& url);

}  // namespace st::db
