#pragma once
// Locks held by one node of a cluster (several SoundTime processes on one PostgreSQL database): the
// leader's, under which background work runs on exactly one node, and the library task's, so that one
// scan runs at a time whichever node was asked. A lock lives as long as its lease; when the node dies its
// database session ends and the lock is free for another node at once. SQLite has one node: no locks.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace st::model {

class ClusterLease {
 public:
  virtual ~ClusterLease() = default;  // releases the lock
  // False once the lock may have been lost (its database session failed): the holder must stop the work
  // the lock guards. Asks the database: call it now and then, not per request.
  virtual bool alive() = 0;
};

struct LockHolder {
  std::string lock;  // the name given to try_take
  std::string node;  // the holding node's name
};

class ClusterLocks {
 public:
  virtual ~ClusterLocks() = default;
  // The lock for this node, or nothing when another node holds it or the database cannot be reached.
  virtual std::unique_ptr<ClusterLease> try_take(std::string_view name) = 0;
  // The locks held now, by which node. Throws when the database is out of reach.
  virtual std::vector<LockHolder> holders() = 0;
  // This node's name, as holders() reports it.
  virtual const std::string& node_name() const = 0;
};

}  // namespace st::model
