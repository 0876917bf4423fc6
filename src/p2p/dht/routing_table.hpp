#pragma once
// A bounded Kademlia routing table (BEP 5): 160 buckets by shared id prefix with our own id, at most
// `bucket_size` nodes each. Only nodes that answered us go in; nodes that stop answering go out.
#include <array>
#include <cstddef>
#include <vector>

#include "p2p/dht/krpc.hpp"

namespace st::p2p::dht {

// True when a is closer to target than b (XOR metric).
bool closer(const NodeId& a, const NodeId& b, const NodeId& target);

class RoutingTable {
 public:
  explicit RoutingTable(const NodeId& self, std::size_t bucket_size = 8);

  // Adds or refreshes a node that answered. False when its bucket is full of nodes that answer (the
  // newcomer is dropped: old nodes are the stable ones) or when it is ourselves.
  bool add(const NodeEntry& node);
  // A query to this endpoint timed out; the node is removed after its second failure in a row.
  void failed(const Endpoint& endpoint);
  std::vector<NodeEntry> closest(const NodeId& target, std::size_t n) const;
  std::size_t size() const;

 private:
  struct Slot {
    NodeEntry node;
    int failures = 0;
  };
  std::size_t bucket_of(const NodeId& id) const;

  NodeId self_;
  std::size_t bucket_size_;
  std::array<std::vector<Slot>, 160> buckets_;
};

}  // namespace st::p2p::dht
