#pragma once
// The binary reply to FetchTrack (docs/p2p-protocol.md §6), all integers big-endian: the blob's size (u64),
// the first and end group of the range (u64 each), the proof's length (u32), the proof, then the bytes of
// groups [first, end).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/blake3.hpp"

namespace st::p2p {

inline constexpr std::uint64_t kRangeGroups = 64;  // at most 1 MiB of data per reply
inline constexpr std::size_t kRangeHeader = 28;

// The header and the proof of a reply; the range's bytes follow.
std::string range_reply_head(std::uint64_t size, std::uint64_t first, std::uint64_t end,
                             const std::vector<std::uint8_t>& proof);

enum class RangeCheck { ok, malformed, bad_proof };

// A reply that checked out: its data points into the reply it came from.
struct CheckedRange {
  std::uint64_t size = 0, end = 0;
  const char* data = nullptr;
  std::size_t data_len = 0;
};

// Checks the reply to a request for the groups from `first`: well formed, about the blob of `known_size`
// when known, a range starting at `first` and ending within the request, its bytes verified against the
// blob's root hash.
RangeCheck check_range_reply(std::string_view reply, const crypto::Blake3Hash& root, std::uint64_t first,
                             std::optional<std::uint64_t> known_size, CheckedRange& out);

// The root hash of a blob from its 64 hex digits (already validated).
crypto::Blake3Hash root_from_hex(const std::string& hash);

}  // namespace st::p2p
