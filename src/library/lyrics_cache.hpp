#pragma once
// Online lyrics lookups remembered for a while, misses included: the provider is a remote service, slow
// and rate-limited, and the same track is asked for again and again (every play in some apps). At most a
// few lookups wait on it at once; beyond that callers are told to come back (DomainError unavailable).
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>

#include "library/lyrics_provider.hpp"
#include "util/concurrency_gate.hpp"

namespace st::library {

class LyricsCache {
 public:
  using Clock = std::chrono::steady_clock;
  LyricsCache(std::size_t max_entries, std::chrono::seconds hit_ttl, std::chrono::seconds miss_ttl,
              unsigned max_lookups);

  // The remembered answer for key (which must name the provider and its settings too), or fetch()'s,
  // then remembered. An exception from fetch (provider unreachable, not configured) is not remembered.
  RemoteLyrics get(const std::string& key, const std::function<RemoteLyrics()>& fetch) {
    return get(key, fetch, Clock::now());
  }
  RemoteLyrics get(const std::string& key, const std::function<RemoteLyrics()>& fetch, Clock::time_point now);
  std::size_t size() const;

 private:
  struct Entry {
    RemoteLyrics value;
    Clock::time_point expires;
    std::list<std::string>::iterator order;
  };
  const std::size_t max_entries_;
  const std::chrono::seconds hit_ttl_, miss_ttl_;
  util::ConcurrencyGate lookups_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::list<std::string> order_;  // least recently stored first
};

}  // namespace st::library
