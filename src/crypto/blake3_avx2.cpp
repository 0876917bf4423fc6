// BLAKE3 with AVX2: 8 chunks or 8 parent nodes per call, one per 32-bit lane. Compiled for AVX2 by the
// pragma below (not by build flags), and only called when the CPU has it (blake3_backend.cpp).
#if defined(__x86_64__) || defined(__i386__)  // (elsewhere only the portable code is built)

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "crypto/blake3_kernels.hpp"

#if defined(__clang__)  // (the fuzz targets are built with clang)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace st::crypto::detail {
namespace {

struct Avx2 {
  using V = __m256i;
  static constexpr int N = 8;
  static V set1(std::uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
  static V load(const std::uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const V*>(p)); }
  static V add(V a, V b) { return _mm256_add_epi32(a, b); }
  static V xor_(V a, V b) { return _mm256_xor_si256(a, b); }
  static V ror16(V x) {
    const V k = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,  //
                                 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    return _mm256_shuffle_epi8(x, k);
  }
  static V ror8(V x) {
    const V k = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12,  //
                                 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    return _mm256_shuffle_epi8(x, k);
  }
  static V ror12(V x) { return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20)); }
  static V ror7(V x) { return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25)); }

#include "crypto/blake3_transpose8.inc"

  static void load_blocks(const std::uint8_t* p, std::size_t stride, V m[16]) {
    for (int half = 0; half < 2; ++half) {
      V* r = m + 8 * half;
      for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_si256(reinterpret_cast<const V*>(p + j * stride + 32 * half));
      transpose8(r);
    }
  }
  static void store_cvs(const V cv[8], std::uint8_t* out) {
    V r[8];
    for (int i = 0; i < 8; ++i) r[i] = cv[i];
    transpose8(r);
    for (int j = 0; j < 8; ++j) _mm256_storeu_si256(reinterpret_cast<V*>(out + 32 * j), r[j]);
  }
};

#include "crypto/blake3_lanes.inc"

}  // namespace

void blake3_avx2_chunks(const std::uint8_t* data, std::uint64_t first_chunk, std::uint8_t* out) {
  blake3_lanes::chunks<Avx2>(data, first_chunk, out);
}
void blake3_avx2_parents(const std::uint8_t* blocks, std::uint8_t* out) { blake3_lanes::parents<Avx2>(blocks, out); }

}  // namespace st::crypto::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
