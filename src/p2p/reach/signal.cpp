#include "p2p/reach/signal.hpp"

#include <algorithm>

#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::p2p {

namespace {

bool is_lower_hex(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string signal_signing_bytes(const Signal& s) {
  return "soundtime-signal/1\n" + s.from + "\n" + s.to + "\n" + s.kind + "\n" + s.nonce + "\n" +
         std::to_string(s.timestamp) + "\n" + s.description;
}

Signal sign_signal(const crypto::Identity& id, const std::string& to, const std::string& kind,
                   const std::string& description, std::string nonce, std::uint64_t now) {
  Signal s;
  s.to = to;
  s.from = id.node_id();
  s.kind = kind;
  s.description = description;
  if (nonce.empty()) nonce = util::random_hex(16);
  s.nonce = std::move(nonce);
  s.timestamp = now;
  auto sig = id.sign(signal_signing_bytes(s));
  s.signature = util::to_hex(sig.data(), sig.size());
  return s;
}

std::string check_signal(const Signal& s, std::uint64_t now) {
  if (!is_lower_hex(s.from, 64) || !is_lower_hex(s.to, 64)) return "from/to are not NodeIds";
  if (s.from == s.to) return "a signal to its own author";
  if (s.kind != "offer" && s.kind != "answer") return "kind is neither offer nor answer";
  if (s.description.empty() || s.description.size() > kSignalMaxDescription) return "description empty or over 4 KiB";
  if (!is_lower_hex(s.nonce, 32)) return "nonce is not 32 hex characters";
  if (s.timestamp + kSignalMaxAgeSeconds < now || s.timestamp > now + kSignalMaxAgeSeconds) return "stale or future timestamp";
  auto key = crypto::parse_node_id(s.from);
  auto sig = util::from_hex(s.signature);
  if (!key || !sig || sig->size() != 64) return "signature is not 64 bytes of hex";
  std::array<std::uint8_t, 64> raw{};
  std::copy(sig->begin(), sig->end(), reinterpret_cast<char*>(raw.data()));
  if (!crypto::ed25519_verify(*key, signal_signing_bytes(s), raw)) return "bad signature";
  return {};
}

bool NonceCache::fresh(const std::string& nonce, std::uint64_t now) {
  std::lock_guard l(mu_);
  while (!order_.empty() && (order_.size() >= kMax || order_.front().first + 2 * kSignalMaxAgeSeconds < now)) {
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
  if (!seen_.insert(nonce).second) return false;
  order_.emplace_back(now, nonce);
  return true;
}

bool RateLimiter::allow(const std::string& key, double cost) {
  std::lock_guard l(mu_);
  auto now = std::chrono::steady_clock::now();
  if (buckets_.size() > 4096) buckets_.clear();  // bounded: forgetting is only generous
  auto [it, added] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst_), now});
  auto& b = it->second;
  if (!added) {
    b.tokens = std::min<double>(burst_, b.tokens + std::chrono::duration<double>(now - b.at) /
                                                       std::chrono::duration<double>(refill_));
    b.at = now;
  }
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

}  // namespace st::p2p
