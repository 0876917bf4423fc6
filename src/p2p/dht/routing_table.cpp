#include "p2p/dht/routing_table.hpp"

#include <algorithm>
#include <bit>

namespace st::p2p::dht {

bool closer(const NodeId& a, const NodeId& b, const NodeId& target) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto da = static_cast<std::uint8_t>(a[i] ^ target[i]), db = static_cast<std::uint8_t>(b[i] ^ target[i]);
    if (da != db) return da < db;
  }
  return false;
}

RoutingTable::RoutingTable(const NodeId& self, std::size_t bucket_size) : self_(self), bucket_size_(bucket_size) {}

std::size_t RoutingTable::bucket_of(const NodeId& id) const {
  for (std::size_t i = 0; i < id.size(); ++i) {
    auto x = static_cast<std::uint8_t>(id[i] ^ self_[i]);
    if (x != 0) return i * 8 + static_cast<std::size_t>(std::countl_zero(x));
  }
  return 160;  // ourselves
}

bool RoutingTable::add(const NodeEntry& node) {
  auto b = bucket_of(node.id);
  if (b >= buckets_.size()) return false;
  // One slot per endpoint: a node that changed its id replaces its old entry.
  for (auto& bucket : buckets_) {
    auto it = std::find_if(bucket.begin(), bucket.end(), [&](const Slot& s) {
      return s.node.endpoint == node.endpoint && s.node.id != node.id;
    });
    if (it != bucket.end()) bucket.erase(it);
  }
  auto& bucket = buckets_[b];
  for (auto& s : bucket) {
    if (s.node.id == node.id) {
      s.node.endpoint = node.endpoint;
      s.failures = 0;
      return true;
    }
  }
  if (bucket.size() < bucket_size_) {
    bucket.push_back({node, 0});
    return true;
  }
  auto bad = std::find_if(bucket.begin(), bucket.end(), [](const Slot& s) { return s.failures > 0; });
  if (bad == bucket.end()) return false;
  *bad = {node, 0};
  return true;
}

void RoutingTable::failed(const Endpoint& endpoint) {
  for (auto& bucket : buckets_) {
    for (auto it = bucket.begin(); it != bucket.end(); ++it) {
      if (it->node.endpoint == endpoint) {
        if (++it->failures >= 2) bucket.erase(it);
        return;
      }
    }
  }
}

std::vector<NodeEntry> RoutingTable::closest(const NodeId& target, std::size_t n) const {
  std::vector<NodeEntry> all;
  for (const auto& bucket : buckets_)
    for (const auto& s : bucket) all.push_back(s.node);
  auto cmp = [&](const NodeEntry& a, const NodeEntry& b) { return closer(a.id, b.id, target); };
  if (all.size() > n) {
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), cmp);
    all.resize(n);
  } else {
    std::sort(all.begin(), all.end(), cmp);
  }
  return all;
}

std::size_t RoutingTable::size() const {
  std::size_t n = 0;
  for (const auto& bucket : buckets_) n += bucket.size();
  return n;
}

}  // namespace st::p2p::dht
