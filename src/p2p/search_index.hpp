#pragma once
// Distributed-search bookkeeping: our own Bloom filter of the terms of the tracks we offer (rebuilt,
// debounced, when the catalogue's change log moves) and the filters peers sent us (in memory, replaced
// by each BloomExchange), used to ask only the peers that may hold a match.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "model/p2p.hpp"
#include "p2p/bloom_filter.hpp"

namespace st::p2p {

class SearchIndex {
 public:
  // Peers' filters together take at most `max_peer_bytes` of bitmap (a filter is up to 768 KiB).
  explicit SearchIndex(std::size_t max_peer_bytes = 16u << 20) : max_peer_bytes_(max_peer_bytes) {}

  // Rebuilds our filter when the change log moved and then stayed still for `debounce` (or at once
  // when none was built yet). True when a new filter was built.
  bool refresh(model::P2pRepository& repo, std::chrono::milliseconds debounce);
  // Our filter as an encoded BloomExchange message, and its generation (0: none yet).
  std::shared_ptr<const std::string> own_message() const;
  std::uint64_t generation() const;
  std::uint64_t own_terms() const;

  // Stores a peer's filter; the reason when it is refused (inconsistent, or over the quota for all of them).
  std::optional<std::string> set_peer(const std::string& node, const BloomFilterData& d);
  void forget(const std::string& node);
  // Nothing when the peer sent no filter yet, else whether its filter may hold a match.
  std::optional<bool> may_match(const std::string& node, std::string_view query) const;
  std::size_t peer_filter_count() const;
  std::size_t peer_filter_bytes() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::string> own_;
  std::uint64_t generation_ = 0, terms_ = 0;
  std::int64_t built_change_ = -1, seen_change_ = -1;
  std::chrono::steady_clock::time_point seen_at_{}, first_seen_at_{};
  std::map<std::string, std::shared_ptr<const BloomFilter>, std::less<>> peers_;
  std::size_t max_peer_bytes_;
  std::size_t peer_bytes_ = 0;  // bitmap bytes in peers_
};

}  // namespace st::p2p
