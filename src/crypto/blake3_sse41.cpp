// BLAKE3 with SSE4.1: 4 chunks or 4 parent nodes per call, one per 32-bit lane. Compiled for SSE4.1 by
// the pragma below (not by build flags), and only called when the CPU has it (blake3_backend.cpp).
#if defined(__x86_64__) || defined(__i386__)  // (elsewhere only the portable code is built)

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "crypto/blake3_kernels.hpp"

#if defined(__clang__)  // (the fuzz targets are built with clang)
#pragma clang attribute push(__attribute__((target("sse4.1"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("sse4.1")
#endif

namespace st::crypto::detail {
namespace {

struct Sse41 {
  using V = __m128i;
  static constexpr int N = 4;
  static V set1(std::uint32_t x) { return _mm_set1_epi32(static_cast<int>(x)); }
  static V load(const std::uint32_t* p) { return _mm_loadu_si128(reinterpret_cast<const V*>(p)); }
  static V add(V a, V b) { return _mm_add_epi32(a, b); }
  static V xor_(V a, V b) { return _mm_xor_si128(a, b); }
  static V ror16(V x) { return _mm_shuffle_epi8(x, _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)); }
  static V ror8(V x) { return _mm_shuffle_epi8(x, _mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)); }
  static V ror12(V x) { return _mm_or_si128(_mm_srli_epi32(x, 12), _mm_slli_epi32(x, 20)); }
  static V ror7(V x) { return _mm_or_si128(_mm_srli_epi32(x, 7), _mm_slli_epi32(x, 25)); }

  // r[j] = row j of a 4x4 matrix of 32-bit words; afterwards r[k] = column k.
  static void transpose(V r[4]) {
    V t0 = _mm_unpacklo_epi32(r[0], r[1]), t1 = _mm_unpackhi_epi32(r[0], r[1]);
    V t2 = _mm_unpacklo_epi32(r[2], r[3]), t3 = _mm_unpackhi_epi32(r[2], r[3]);
    r[0] = _mm_unpacklo_epi64(t0, t2);
    r[1] = _mm_unpackhi_epi64(t0, t2);
    r[2] = _mm_unpacklo_epi64(t1, t3);
    r[3] = _mm_unpackhi_epi64(t1, t3);
  }
  static void load_blocks(const std::uint8_t* p, std::size_t stride, V m[16]) {
    for (int q = 0; q < 4; ++q) {
      V* r = m + 4 * q;
      for (int j = 0; j < 4; ++j) r[j] = _mm_loadu_si128(reinterpret_cast<const V*>(p + j * stride + 16 * q));
      transpose(r);
    }
  }
  static void store_cvs(const V cv[8], std::uint8_t* out) {
    for (int h = 0; h < 2; ++h) {
      V r[4] = {cv[4 * h], cv[4 * h + 1], cv[4 * h + 2], cv[4 * h + 3]};
      transpose(r);
      for (int j = 0; j < 4; ++j) _mm_storeu_si128(reinterpret_cast<V*>(out + 32 * j + 16 * h), r[j]);
    }
  }
};

#include "crypto/blake3_lanes.inc"

}  // namespace

void blake3_sse41_chunks(const std::uint8_t* data, std::uint64_t first_chunk, std::uint8_t* out) {
  blake3_lanes::chunks<Sse41>(data, first_chunk, out);
}
void blake3_sse41_parents(const std::uint8_t* blocks, std::uint8_t* out) { blake3_lanes::parents<Sse41>(blocks, out); }

}  // namespace st::crypto::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
