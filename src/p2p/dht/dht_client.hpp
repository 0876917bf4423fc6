#pragma once
// A small BitTorrent Mainline DHT client (BEP 5) for BEP 44 mutable items carrying pkarr SignedPackets:
// iterative get toward sha1(key), put to the closest nodes with their tokens. With read_only (BEP 43) it
// never answers queries; otherwise it answers ping/find_node/get/put and stores a bounded set of items
// (enough to form a swarm of our own in tests). One I/O thread; every public method is thread-safe and
// blocks until done.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "p2p/dht/pkarr.hpp"

namespace st::p2p::dht {

struct DhtOptions {
  std::string bind_host = "0.0.0.0";
  std::uint16_t bind_port = 0;         // UDP; 0 = any free port
  std::vector<std::string> bootstrap;  // host:port (names resolved); empty = none
  bool read_only = true;               // BEP 43 "ro":1 (nodes behind NAT)
  std::chrono::milliseconds query_timeout{2000};
  std::chrono::milliseconds lookup_timeout{15000};
  std::size_t max_in_flight = 8;  // alpha
};

struct DhtStats {
  std::size_t routing_table_size = 0;
  std::uint64_t queries_sent = 0, responses = 0, messages_dropped = 0, items_rejected = 0;
};

struct PutResult {
  std::size_t stored = 0;  // nodes that accepted the put
  std::string error;
};

class DhtClient {
 public:
  // Binds the UDP socket and starts the I/O thread; throws std::runtime_error when it cannot bind.
  explicit DhtClient(DhtOptions o);
  ~DhtClient() noexcept;
  DhtClient(const DhtClient&) = delete;
  DhtClient& operator=(const DhtClient&) = delete;

  // Ends every lookup in progress (they return what they have) and the I/O thread. Idempotent.
  void stop();
  std::uint16_t port() const;
  // Iterative get toward sha1(key) for tokens, then put to the 8 closest nodes that gave one.
  PutResult put(const SignedPacket& p);
  // The newest valid seq among the answers; every item is verified (key, target, size, signature).
  std::optional<SignedPacket> get(const PublicKey& key);
  DhtStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace st::p2p::dht
