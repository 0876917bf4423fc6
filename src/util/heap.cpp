#include "util/heap.hpp"

#include <malloc.h>

#include <cstddef>
#include <string>

// jemalloc's control interface, present when the binary is linked with it (weak: absent, it is null).
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

namespace st::util {

std::string_view heap_allocator() { return mallctl ? "jemalloc" : "glibc"; }

void release_free_heap() {
  if (mallctl) {
    // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena's unused dirty pages go back at once.
    constexpr unsigned kAllArenas = 4096;
    auto name = "arena." + std::to_string(kAllArenas) + ".purge";
    mallctl(name.c_str(), nullptr, nullptr, nullptr, 0);
    return;
  }
  malloc_trim(0);
}

void release_thread_heap_cache() {
  if (mallctl) mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
}

}  // namespace st::util
