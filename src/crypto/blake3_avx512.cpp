// BLAKE3 with AVX-512: 16 chunks (one 16 KiB group) or 16 parent nodes per call, one per 32-bit lane.
// Compiled for AVX-512F/VL by the pragma below (not by build flags), and only called when the CPU has
// them (blake3_backend.cpp).
#if defined(__x86_64__) || defined(__i386__)  // (elsewhere only the portable code is built)

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "crypto/blake3_kernels.hpp"

#if defined(__clang__)  // (the fuzz targets are built with clang)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx2")
#endif
// GCC 12's own _mm512_undefined_epi32() (inside _mm512_ror_epi32 and friends) trips -Wuninitialized.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace st::crypto::detail {
namespace {

struct Avx512 {
  using V = __m512i;
  static constexpr int N = 16;
  static V set1(std::uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
  static V load(const std::uint32_t* p) { return _mm512_loadu_si512(p); }
  static V add(V a, V b) { return _mm512_add_epi32(a, b); }
  static V xor_(V a, V b) { return _mm512_xor_si512(a, b); }
  static V ror16(V x) { return _mm512_ror_epi32(x, 16); }
  static V ror12(V x) { return _mm512_ror_epi32(x, 12); }
  static V ror8(V x) { return _mm512_ror_epi32(x, 8); }
  static V ror7(V x) { return _mm512_ror_epi32(x, 7); }

#include "crypto/blake3_transpose8.inc"

  // Two 8x8 transposes per half block (lanes 0-7 and 8-15), joined into 16-lane words.
  static void load_blocks(const std::uint8_t* p, std::size_t stride, V m[16]) {
    for (int half = 0; half < 2; ++half) {
      __m256i lo[8], hi[8];
      for (int j = 0; j < 8; ++j) {
        lo[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j * stride + 32 * half));
        hi[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + (j + 8) * stride + 32 * half));
      }
      transpose8(lo);
      transpose8(hi);
      for (int k = 0; k < 8; ++k) m[8 * half + k] = _mm512_inserti64x4(_mm512_castsi256_si512(lo[k]), hi[k], 1);
    }
  }
  static void store_cvs(const V cv[8], std::uint8_t* out) {
    __m256i lo[8], hi[8];
    for (int i = 0; i < 8; ++i) {
      lo[i] = _mm512_castsi512_si256(cv[i]);
      hi[i] = _mm512_extracti64x4_epi64(cv[i], 1);
    }
    transpose8(lo);
    transpose8(hi);
    for (int j = 0; j < 8; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * j), lo[j]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * (j + 8)), hi[j]);
    }
  }
};

#include "crypto/blake3_lanes.inc"

}  // namespace

void blake3_avx512_chunks(const std::uint8_t* data, std::uint64_t first_chunk, std::uint8_t* out) {
  blake3_lanes::chunks<Avx512>(data, first_chunk, out);
}
void blake3_avx512_parents(const std::uint8_t* blocks, std::uint8_t* out) {
  blake3_lanes::parents<Avx512>(blocks, out);
}

}  // namespace st::crypto::detail

#pragma GCC diagnostic pop
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
