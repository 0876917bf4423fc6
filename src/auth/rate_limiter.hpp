#pragma once
// Token buckets per key (a client IP): `burst` requests at once, then one more every `refill` seconds.
// Memory is bounded: past max_keys, buckets that have refilled completely are forgotten first.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/rate_buckets.hpp"

namespace st::auth {

struct RateDecision {
  bool allowed = true;
  int retry_after_seconds = 0;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double burst, std::chrono::milliseconds refill, std::size_t max_keys = 100'000);

  RateDecision take(std::string_view key) { return take(key, Clock::now()); }
  RateDecision take(std::string_view key, Clock::time_point now);  // for tests
  // Whether take() would allow one now, without taking it (to count only failures, yet refuse even a
  // right password once they are spent).
  RateDecision peek(std::string_view key) { return peek(key, Clock::now()); }
  RateDecision peek(std::string_view key, Clock::time_point now);
  // Several nodes on one database: the buckets live in `store` (keys prefixed with `name`), and memory
  // serves only while the database is out of reach. Set before serving.
  void share(model::RateBuckets* store, std::string name) {
    store_ = store;
    name_ = std::move(name);
  }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void evict(Clock::time_point now);
  std::optional<RateDecision> shared(std::string_view key, bool consume);

  model::RateBuckets* store_ = nullptr;
  std::string name_;

  double burst_;
  std::chrono::milliseconds refill_;
  std::size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace st::auth
