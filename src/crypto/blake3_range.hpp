#pragma once
// Verified ranges of a blob (reference/verified-streaming.md): the sender picks from the outboard the
// parent pairs on the way from the root to the requested 16 KiB groups; the receiver checks every pair
// and every group against the root hash alone, before using any byte.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/blake3.hpp"

namespace st::crypto {

// Number of 16 KiB groups of a blob (an empty blob is one empty group).
std::uint64_t blake3_group_count(std::uint64_t size);
// Bytes of groups [first, end) of a blob of `size` bytes.
std::uint64_t blake3_range_bytes(std::uint64_t size, std::uint64_t first, std::uint64_t end);

// The pairs (64 bytes each, pre-order) that prove groups [first, end); empty when the outboard is too
// short for `size` or the range is invalid (then `ok` is false).
std::vector<std::uint8_t> blake3_range_proof(const std::uint8_t* outboard, std::size_t outboard_len,
                                             std::uint64_t size, std::uint64_t first, std::uint64_t end,
                                             bool& ok);

// True when `proof` and `data` (the exact bytes of groups [first, end)) hash up to `root` for a blob of
// `size` bytes. Any flipped bit in a pair or in the data gives false. As in Bao, a false `size` is only
// caught by a range that includes the last group (or changes the tree's shape): receivers take the size
// from the catalogue and verify every group, the last one included.
bool blake3_verify_range(const Blake3Hash& root, std::uint64_t size, std::uint64_t first, std::uint64_t end,
                         const std::uint8_t* proof, std::size_t proof_len, const std::uint8_t* data,
                         std::size_t data_len);

}  // namespace st::crypto
