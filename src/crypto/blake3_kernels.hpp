#pragma once
// The BLAKE3 kernels of each instruction set (internal to src/crypto): each hashes exactly `lanes`
// complete chunks, or `lanes` parent nodes, at once. Only called after blake3_backend.cpp checked that
// the CPU supports them.
#include <cstdint>

namespace st::crypto::detail {

void blake3_sse41_chunks(const std::uint8_t* data, std::uint64_t first_chunk, std::uint8_t* out);   // 4
void blake3_sse41_parents(const std::uint8_t* blocks, std::uint8_t* out);                           // 4
void blake3_avx2_chunks(const std::uint8_t* data, std::uint64_t first_chunk, std::uint8_t* out);    // 8
void blake3_avx2_parents(const std::uint8_t* blocks, std::uint8_t* out);                            // 8
void blake3_avx512_chunks(const std::uint8_t* data, std::uint64_t first_chunk, std::uint8_t* out);  // 16
void blake3_avx512_parents(const std::uint8_t* blocks, std::uint8_t* out);                          // 16

// The portable code of blake3.cpp, one at a time.
void blake3_portable_chunk(const std::uint8_t* data, std::uint64_t chunk, std::uint8_t* out);
void blake3_portable_parent(const std::uint8_t* block, std::uint8_t* out);

}  // namespace st::crypto::detail
