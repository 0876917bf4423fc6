#pragma once
// Which BLAKE3 code path hashes: the widest SIMD kernels this CPU supports (chosen once, at first use),
// or a path forced by tests and benchmarks. Every path gives the same bytes.
#include <cstddef>
#include <cstdint>

#include "crypto/blake3.hpp"

namespace st::crypto {

// Ordered: each path also uses the narrower ones for what is left over.
enum class Blake3Backend { portable, sse41, avx2, avx512 };

Blake3Backend blake3_backend();
bool blake3_backend_supported(Blake3Backend b);
// For tests and benchmarks: makes `b` the path for the whole process. False (and nothing changes) when
// the CPU lacks it.
bool blake3_force_backend(Blake3Backend b);
const char* blake3_backend_name(Blake3Backend b);

// Chaining values (non-root) of `groups` complete 16 KiB groups contiguous at `data`, the first being
// group number `first_group` of its blob: many chunks and parents hashed at once, in SIMD lanes.
void blake3_group_cvs(const std::uint8_t* data, std::size_t groups, std::uint64_t first_group, Blake3Hash* out);

// Chaining values (non-root) of `chunks` complete 1 KiB chunks contiguous at `data`, the first being chunk
// number `first_chunk`: the tail of a blob that does not fill a group, in SIMD lanes as far as it goes.
void blake3_chunk_cvs(const std::uint8_t* data, std::size_t chunks, std::uint64_t first_chunk, Blake3Hash* out);

}  // namespace st::crypto
