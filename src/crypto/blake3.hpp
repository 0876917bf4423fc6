#pragma once
// BLAKE3 (hash mode), our own implementation, built for verified streaming: hashing a blob also yields
// its outboard, the tree of parent nodes above 16 KiB chunk groups (see docs and
// reference/verified-streaming.md), so any byte range can later be checked against the root hash alone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace st::crypto {

using Blake3Hash = std::array<std::uint8_t, 32>;

inline constexpr std::size_t kBlake3ChunkLen = 1024;
inline constexpr std::size_t kBlake3GroupChunks = 16;
inline constexpr std::size_t kBlake3GroupLen = kBlake3ChunkLen * kBlake3GroupChunks;  // 16 KiB

// Streaming hasher. Memory: one group of input plus 32 bytes per 16 KiB hashed. Complete groups are
// hashed many chunks at a time in SIMD lanes when the CPU has them (blake3_backend.hpp).
class Blake3 {
 public:
  void update(const void* data, std::size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }

  struct Result {
    Blake3Hash root;
    std::uint64_t size = 0;
    // Parent nodes above the group level in pre-order, each as left CV || right CV (64 bytes):
    // (groups - 1) × 64 bytes; empty for blobs of one group.
    std::vector<std::uint8_t> outboard;
  };
  // Ends the stream (the hasher must not be used again).
  Result finish();

  // Extended output (XOF) of the root: the first 32 bytes are the hash.
  std::vector<std::uint8_t> finish_xof(std::size_t out_len);

 private:
  void hash_groups(const std::uint8_t* data, std::size_t n);
  std::vector<std::uint8_t> pending_;  // 1 byte to one group, the last one seen (empty before any byte)
  std::vector<Blake3Hash> group_cvs_;
  std::uint64_t size_ = 0;
};

Blake3Hash blake3(std::string_view data);
std::string to_hex(const Blake3Hash& h);

// Chaining value of the complete subtree over `len` bytes starting at chunk `first_chunk`
// (non-root): what a receiver recomputes for a 16 KiB group it was sent.
Blake3Hash blake3_subtree_cv(const std::uint8_t* data, std::size_t len, std::uint64_t first_chunk);
// Chaining value of a parent node; with is_root, the blob's hash.
Blake3Hash blake3_parent_cv(const Blake3Hash& left, const Blake3Hash& right, bool is_root);
// The hash of a blob that is a single group (≤ 16 KiB): the subtree with the ROOT flag.
Blake3Hash blake3_single_group_root(const std::uint8_t* data, std::size_t len);

// Checks a whole blob and its outboard against a root hash: every pair and every group is
// recomputed on the way down, as a receiver of verified ranges does. False at the first mismatch.
bool blake3_verify_outboard(const Blake3Hash& root, const std::uint8_t* data, std::uint64_t size,
                            const std::vector<std::uint8_t>& outboard);

}  // namespace st::crypto
