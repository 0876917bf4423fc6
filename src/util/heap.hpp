#pragma once
// The C heap of a long-running server. The server binary is linked with jemalloc (CMake option
// SOUNDTIME_JEMALLOC, off under the sanitizers): its arenas give free pages back by themselves (a background
// thread, after dirty_decay_ms) and fragment less than glibc's per-thread arenas, whose tops malloc_trim does
// not return (a million tracks: 120 -> 108 MB idle, 412 -> 274 MB busy, bench/subsonic.sh). Tests and
// sanitizer builds run on glibc's malloc; both are handled here.
#include <string_view>

namespace st::util {

// "jemalloc" or "glibc".
std::string_view heap_allocator();
// Returns the heap's free pages to the kernel now (a quiet server: db/idle_memory.hpp): jemalloc purges every
// arena's dirty pages; glibc's malloc_trim frees the pages inside free chunks and the main arena's top.
void release_free_heap();
// Gives the calling thread's cache of freed blocks back to the heap (jemalloc's tcache: up to a few hundred
// blocks of each small size per thread, ~5.7 MB over a server's 18 threads at a million tracks), so that a
// following release_free_heap can return the pages they kept. Nothing to do on glibc (its per-thread cache
// holds 7 blocks a size).
void release_thread_heap_cache();

}  // namespace st::util
