#pragma once
// Signals: the one-hop messages that carry ICE descriptions between two nodes through a peer both are
// linked to. Signed by their author so the rendezvous cannot forge one; fresh (timestamp within a few
// minutes) and never replayed (nonces remembered); rate-limited per sender at the rendezvous.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "crypto/identity.hpp"
#include "p2p/protocol/messages.hpp"

namespace st::p2p {

inline constexpr std::uint64_t kSignalMaxAgeSeconds = 120;
inline constexpr std::size_t kSignalMaxDescription = 4096;

std::string signal_signing_bytes(const Signal& s);
// A signal from `id` to `to`; `nonce` empty = a fresh random one.
Signal sign_signal(const crypto::Identity& id, const std::string& to, const std::string& kind,
                   const std::string& description, std::string nonce, std::uint64_t now);
// Why a signal cannot be believed (malformed ids, too large, stale or future timestamp, bad signature); empty
// when it can.
std::string check_signal(const Signal& s, std::uint64_t now);

// Nonces seen in the last kSignalMaxAgeSeconds × 2 (bounded): a replayed offer is dropped.
class NonceCache {
 public:
  static constexpr std::size_t kMax = 4096;
  // True when the nonce is new (and remembers it).
  bool fresh(const std::string& nonce, std::uint64_t now);

 private:
  std::mutex mu_;
  std::set<std::string> seen_;
  std::deque<std::pair<std::uint64_t, std::string>> order_;
};

// A token bucket per key (sender NodeId): `burst` at once, then one every `refill`.
class RateLimiter {
 public:
  RateLimiter(int burst, std::chrono::milliseconds refill) : burst_(burst), refill_(refill) {}
  bool allow(const std::string& key) { return allow(key, 1); }
  // Takes `cost` tokens at once (a batch of items), or none when there are fewer left.
  bool allow(const std::string& key, double cost);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at{};
  };
  int burst_;
  std::chrono::milliseconds refill_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace st::p2p
