#include "db/idle_memory.hpp"

#include <malloc.h>

#include <limits>

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
      malloc_trim(0);  // every arena: the worker threads' too
      released = uses;
      freed = true;
    }
    seen = uses;
    lock.lock();
    if (freed) ++releases_;
  }
}

}  // namespace st::db
