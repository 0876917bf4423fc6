#pragma once
// Memory for a query's large, short-lived arrays (candidates, per-document merges), taken from the kernel
// with mmap and given back to it when freed. Taken from malloc, such arrays raise glibc's mmap threshold and
// then stay in the worker threads' arenas after the query: a few hundred searches left a million-track
// server at 200+ MB of free heap that malloc_trim cannot return. Small arrays still come from malloc.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace st::search {

template <class T>
struct ScratchAllocator {
  using value_type = T;
  static constexpr std::size_t kMapped = 64 * 1024;  // bytes from which an array is mapped

  ScratchAllocator() = default;
  template <class U>
  ScratchAllocator(const ScratchAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    auto bytes = n * sizeof(T);
    void* p;
    if (bytes >= kMapped) {
      p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
    } else {
      p = std::malloc(bytes);
      if (!p) throw std::bad_alloc();
    }
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    auto bytes = n * sizeof(T);
    if (bytes >= kMapped) munmap(p, bytes);
    else std::free(p);
  }
  template <class U>
  bool operator==(const ScratchAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using Scratch = std::vector<T, ScratchAllocator<T>>;

}  // namespace st::search
