#include "auth/rate_limiter.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace st::auth {

RateLimiter::RateLimiter(double burst, std::chrono::milliseconds refill, std::size_t max_keys)
    : burst_(burst), refill_(refill), max_keys_(max_keys) {}

std::optional<RateDecision> RateLimiter::shared(std::string_view key, bool consume) {
  if (!store_) return std::nullopt;
  try {
    auto b = store_->take(name_ + ":" + std::string(key), burst_, static_cast<double>(refill_.count()), consume);
    if (b.allowed) return RateDecision{};
    double wait_ms = (1.0 - b.tokens) * static_cast<double>(refill_.count());
    return RateDecision{false, std::max(1, static_cast<int>(std::ceil(wait_ms / 1000.0)))};
  } catch (const std::exception& e) {
    spdlog::debug("rate limit {}: shared buckets out of reach, this node's memory decides: {}", name_, e.what());
    return std::nullopt;
  }
}

RateDecision RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (auto d = shared(key, true)) return *d;
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
  if (auto d = shared(key, false)) return *d;
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
