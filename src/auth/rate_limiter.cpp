#include "auth/rate_limiter.hpp"

#include <cmath>

namespace st::auth {

RateLimiter::RateLimiter(double burst, std::chrono::milliseconds refill, std::size_t max_keys)
    : burst_(burst), refill_(refill), max_keys_(max_keys) {}

RateDecision RateLimiter::take(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) evict(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double, std::milli>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed / static_cast<double>(refill_.count()));
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  double wait_ms = (1.0 - b.tokens) * static_cast<double>(refill_.count());
  return {false, std::max(1, static_cast<int>(std::ceil(wait_ms / 1000.0)))};
}

RateDecision RateLimiter::peek(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) return {};
  double elapsed = std::chrono::duration<double, std::milli>(now - it->second.updated).count();
  double tokens = std::min(burst_, it->second.tokens + elapsed / static_cast<double>(refill_.count()));
  if (tokens >= 1.0) return {};
  double wait_ms = (1.0 - tokens) * static_cast<double>(refill_.count());
  return {false, std::max(1, static_cast<int>(std::ceil(wait_ms / 1000.0)))};
}

void RateLimiter::evict(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double, std::milli>(now - it->second.updated).count();
    if (it->second.tokens + elapsed / static_cast<double>(refill_.count()) >= burst_) it = buckets_.erase(it);
    else ++it;
  }
  // Under a flood of distinct keys every bucket may still be in use: drop them all rather than grow.
  if (buckets_.size() >= max_keys_) buckets_.clear();
}

}  // namespace st::auth
