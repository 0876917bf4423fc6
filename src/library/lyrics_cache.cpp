#include "library/lyrics_cache.hpp"

#include "model/errors.hpp"

namespace st::library {

LyricsCache::LyricsCache(std::size_t max_entries, std::chrono::seconds hit_ttl, std::chrono::seconds miss_ttl,
                         unsigned max_lookups)
    : max_entries_(max_entries == 0 ? 1 : max_entries), hit_ttl_(hit_ttl), miss_ttl_(miss_ttl), lookups_(max_lookups) {}

RemoteLyrics LyricsCache::get(const std::string& key, const std::function<RemoteLyrics()>& fetch, Clock::time_point now) {
  {
    std::lock_guard l(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      if (it->second.expires > now) return it->second.value;
      order_.erase(it->second.order);
      entries_.erase(it);
    }
  }
  auto slot = lookups_.try_enter();
  if (!slot) throw model::DomainError(model::ErrorKind::unavailable, "Too many lyrics lookups at once; try again shortly", 5);
  RemoteLyrics value = fetch();
  std::lock_guard l(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {  // stored meanwhile by another caller
    order_.erase(it->second.order);
    entries_.erase(it);
  }
  while (entries_.size() >= max_entries_ && !order_.empty()) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  entries_.emplace(key, Entry{value, now + (value.text ? hit_ttl_ : miss_ttl_), std::prev(order_.end())});
  return value;
}

std::size_t LyricsCache::size() const {
  std::lock_guard l(mu_);
  return entries_.size();
}

}  // namespace st::library
