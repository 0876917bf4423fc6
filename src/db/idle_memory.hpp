#pragma once
// Gives memory back while the server sits idle. A connection's page cache grows to what its busiest
// statement read (up to 64 MiB on SQLite: a deep page, the page keys built at start, a catalogue pull) and
// keeps it; eight connections and the C heap's free lists keep a quiet server at several times what it
// needs. When no lease was given back between two looks `period` apart, all idle connections but one close and that one
// drops its cache and prepared statements, the search keeps no query scratch (up to 48 MiB at a million tracks), the caches made again on
// demand are dropped (drop_caches_with: getArtists' list and renderings, ~9 MB at 10,000 artists) and the heap returns the free
// pages it can (util::release_free_heap: jemalloc purges its arenas), once per quiet spell. The first request after that reads its pages from the OS's cache again.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "db/pool.hpp"

namespace st::db {

class IdleMemoryRelease {
 public:
  IdleMemoryRelease(Pool& pool, std::chrono::milliseconds period);
  ~IdleMemoryRelease();
  IdleMemoryRelease(const IdleMemoryRelease&) = delete;
  IdleMemoryRelease& operator=(const IdleMemoryRelease&) = delete;

  std::uint64_t releases() const;  // quiet spells noticed so far (tests)
  // Also called once per quiet spell, before the heap is trimmed: drops caches that are made again on
  // demand (getArtists' list and its renderings). Set to nullptr before what it drops is destroyed.
  void drop_caches_with(std::function<void()> drop);

 private:
  void loop();

  Pool& pool_;
  std::chrono::milliseconds period_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::uint64_t releases_ = 0;
  std::mutex drop_mu_;  // held while drop_ runs, so that it is never replaced while running
  std::function<void()> drop_;
  std::thread thread_;
};

}  // namespace st::db
