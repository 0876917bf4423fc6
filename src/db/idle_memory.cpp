#include "db/idle_memory.hpp"

#include <limits>

#include "search/text_index.hpp"
#include "util/heap.hpp"

namespace st::db {

IdleMemoryRelease::IdleMemoryRelease(Pool& pool, std::chrono::milliseconds period)
    : pool_(pool), period_(period), thread_([this] { loop(); }) {}

IdleMemoryRelease::~IdleMemoryRelease() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void IdleMemoryRelease::drop_caches_with(std::function<void()> drop) {
  std::lock_guard lock(drop_mu_);
  drop_ = std::move(drop);
}

std::uint64_t IdleMemoryRelease::releases() const {
  std::lock_guard lock(mu_);
  return releases_;
}

void IdleMemoryRelease::loop() {
  constexpr auto kNever = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t seen = kNever;      // uses at the previous look
  std::uint64_t released = kNever;  // uses when memory was last released
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    auto uses = pool_.uses();
    bool freed = false;
    if (uses == seen && uses != released && pool_.release_idle_memory()) {
      // The search's scratch, the caches made again on demand, then the heap's free pages.
      search::TextIndex::release_spare_scratch();
      {
        std::lock_guard drop_lock(drop_mu_);
        if (drop_) drop_();
      }
      util::release_thread_heap_cache();
      util::release_free_heap();
      released = uses;
      freed = true;
    }
    seen = uses;
    lock.lock();
    if (freed) ++releases_;
  }
}

}  // namespace st::db
