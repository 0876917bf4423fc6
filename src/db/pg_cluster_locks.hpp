#pragma once
// model::ClusterLocks as PostgreSQL session advisory locks: each lease is a connection of its own that took
// pg_try_advisory_lock and keeps it while it is open. The connection's application_name carries the node
// and the lock's names, so that any node can tell who holds what from pg_locks and pg_stat_activity.
#include <string>

#include "db/pool.hpp"
#include "model/cluster_locks.hpp"

namespace st::db {

class PgClusterLocks final : public model::ClusterLocks {
 public:
  PgClusterLocks(std::string url, std::string node_name, Pool& pool);
  std::unique_ptr<model::ClusterLease> try_take(std::string_view name) override;
  std::vector<model::LockHolder> holders() override;
  const std::string& node_name() const override { return node_; }

 private:
  std::string url_;
  std::string node_;
  Pool& pool_;
};

// The connection string for one lease: the database URL with a bounded connect, TCP keepalives and
// user timeout (a silent network must not leave a lease believed alive for long), and the application
// name "soundtime:<lock>:<node>" (at most 63 bytes, as PostgreSQL keeps).
std::string lease_conninfo(const std::string& url, std::string_view lock, std::string_view node);

}  // namespace st::db
