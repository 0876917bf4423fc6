#include "library/stream_source_cache.hpp"

#include <iterator>

namespace st::library {

StreamSourceCache::StreamSourceCache(std::chrono::milliseconds ttl, std::size_t capacity)
    : ttl_(ttl), capacity_(capacity == 0 ? 1 : capacity) {}

std::optional<model::StreamSource> StreamSourceCache::find(std::string_view track_id, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(track_id));
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.source;
}

void StreamSourceCache::put(std::string_view track_id, model::StreamSource source, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_ && !entries_.count(std::string(track_id))) {
    // Full: drop what has expired; when everything is still fresh (a burst of distinct tracks), start over.
    for (auto it = entries_.begin(); it != entries_.end();) it = it->second.expires <= now ? entries_.erase(it) : std::next(it);
    if (entries_.size() >= capacity_) entries_.clear();
  }
  entries_.insert_or_assign(std::string(track_id), Entry{std::move(source), now + ttl_});
}

void StreamSourceCache::forget(std::string_view track_id) {
  forget_here(track_id);
  if (on_forget_) on_forget_(track_id);
}

void StreamSourceCache::forget_here(std::string_view track_id) {
  std::lock_guard lock(mu_);
  entries_.erase(std::string(track_id));
}

void StreamSourceCache::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

std::size_t StreamSourceCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace st::library
