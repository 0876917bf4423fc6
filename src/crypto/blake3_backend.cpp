#include "crypto/blake3_backend.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "crypto/blake3_kernels.hpp"

namespace st::crypto {

namespace {

Blake3Backend detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return Blake3Backend::avx512;
  if (__builtin_cpu_supports("avx2")) return Blake3Backend::avx2;
  if (__builtin_cpu_supports("sse4.1")) return Blake3Backend::sse41;
#endif
  return Blake3Backend::portable;
}

Blake3Backend best() {
  static const Blake3Backend b = detect();
  return b;
}

std::atomic<Blake3Backend>& current() {
  static std::atomic<Blake3Backend> b{best()};
  return b;
}

constexpr std::size_t kCv = 32;

// n complete chunks from chunk number `chunk` on: the widest kernel first, narrower ones for the rest.
void run_chunks(Blake3Backend b, const std::uint8_t* data, std::size_t n, std::uint64_t chunk, std::uint8_t* out) {
  auto step = [&](std::size_t lanes, void (*kernel)(const std::uint8_t*, std::uint64_t, std::uint8_t*)) {
    for (; n >= lanes; n -= lanes) {
      kernel(data, chunk, out);
      data += lanes * kBlake3ChunkLen;
      chunk += lanes;
      out += lanes * kCv;
    }
  };
#if defined(__x86_64__) || defined(__i386__)
  if (b >= Blake3Backend::avx512) step(16, detail::blake3_avx512_chunks);
  if (b >= Blake3Backend::avx2) step(8, detail::blake3_avx2_chunks);
  if (b >= Blake3Backend::sse41) step(4, detail::blake3_sse41_chunks);
#endif
  step(1, detail::blake3_portable_chunk);
}

// n parent blocks (64 bytes each) into n chaining values.
void run_parents(Blake3Backend b, const std::uint8_t* blocks, std::size_t n, std::uint8_t* out) {
  auto step = [&](std::size_t lanes, void (*kernel)(const std::uint8_t*, std::uint8_t*)) {
    for (; n >= lanes; n -= lanes) {
      kernel(blocks, out);
      blocks += lanes * 2 * kCv;
      out += lanes * kCv;
    }
  };
#if defined(__x86_64__) || defined(__i386__)
  if (b >= Blake3Backend::avx512) step(16, detail::blake3_avx512_parents);
  if (b >= Blake3Backend::avx2) step(8, detail::blake3_avx2_parents);
  if (b >= Blake3Backend::sse41) step(4, detail::blake3_sse41_parents);
#endif
  step(1, detail::blake3_portable_parent);
}

}  // namespace

Blake3Backend blake3_backend() { return current().load(std::memory_order_relaxed); }

bool blake3_backend_supported(Blake3Backend b) { return b <= best(); }

bool blake3_force_backend(Blake3Backend b) {
  if (!blake3_backend_supported(b)) return false;
  current().store(b, std::memory_order_relaxed);
  return true;
}

const char* blake3_backend_name(Blake3Backend b) {
  switch (b) {
    case Blake3Backend::portable: return "portable";
    case Blake3Backend::sse41: return "sse4.1";
    case Blake3Backend::avx2: return "avx2";
    case Blake3Backend::avx512: return "avx512";
  }
  return "?";
}

void blake3_chunk_cvs(const std::uint8_t* data, std::size_t chunks, std::uint64_t first_chunk, Blake3Hash* out) {
  static_assert(sizeof(Blake3Hash) == kCv);
  run_chunks(blake3_backend(), data, chunks, first_chunk, reinterpret_cast<std::uint8_t*>(out));
}

void blake3_group_cvs(const std::uint8_t* data, std::size_t groups, std::uint64_t first_group, Blake3Hash* out) {
  constexpr std::size_t kBatch = 32;  // groups per pass: 16 KiB of chunk CVs, on the stack
  alignas(64) std::uint8_t a[kBatch * kBlake3GroupChunks * kCv];
  alignas(64) std::uint8_t t[kBatch * kBlake3GroupChunks / 2 * kCv];
  const Blake3Backend b = blake3_backend();
  while (groups > 0) {
    std::size_t n = std::min(groups, kBatch);
    run_chunks(b, data, n * kBlake3GroupChunks, first_group * kBlake3GroupChunks, a);
    // Up the 4 levels inside each group: pairs of neighbouring CVs are parent blocks, already in place,
    // and a pair never straddles two groups (16 is even at every level above the top one).
    std::uint8_t* src = a;
    std::uint8_t* dst = t;
    for (std::size_t count = n * kBlake3GroupChunks; count > n; count /= 2) {
      run_parents(b, src, count / 2, dst);
      std::swap(src, dst);
    }
    for (std::size_t i = 0; i < n; ++i) std::memcpy(out[i].data(), src + i * kCv, kCv);
    data += n * kBlake3GroupLen;
    first_group += n;
    out += n;
    groups -= n;
  }
}

}  // namespace st::crypto
