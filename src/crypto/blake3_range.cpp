#include "crypto/blake3_range.hpp"

#include <bit>
#include <cstring>

#include "crypto/blake3_backend.hpp"

namespace st::crypto {

namespace {

// Groups in the left subtree of a node over n > 1 groups: BLAKE3's rule, one level up.
std::uint64_t left_groups(std::uint64_t n) { return std::bit_floor(n - 1); }

struct ProofWriter {
  const std::uint8_t* outboard;
  std::size_t pairs;
  std::uint64_t first, end;
  std::vector<std::uint8_t>& out;

  // Node over groups [a, b) whose pair sits at pre-order index idx.
  bool node(std::uint64_t a, std::uint64_t b, std::size_t idx) {
    if (b - a == 1 || b <= first || a >= end) return true;
    if (idx >= pairs) return false;
    out.insert(out.end(), outboard + idx * 64, outboard + idx * 64 + 64);
    std::uint64_t l = left_groups(b - a);
    return node(a, a + l, idx + 1) && node(a + l, b, idx + static_cast<std::size_t>(l));
  }
};

struct RangeVerifier {
  std::uint64_t size, first, end;
  const std::uint8_t* proof;
  std::size_t proof_len;
  const std::uint8_t* data;
  std::size_t data_len;
  // CVs of the range's complete groups [first, first + cvs.size()), hashed together beforehand.
  const std::vector<Blake3Hash>& cvs;
  std::size_t proof_pos = 0, data_pos = 0;

  bool node(std::uint64_t a, std::uint64_t b, const Blake3Hash& expected, bool is_root) {
    if (b <= first || a >= end) return true;  // outside the range: its CV was checked by the parent
    if (b - a == 1) {
      std::uint64_t off = a * kBlake3GroupLen;
      std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(kBlake3GroupLen, size - off));
      if (data_pos + len > data_len) return false;
      const std::uint8_t* p = data + data_pos;
      data_pos += len;
      Blake3Hash got = is_root                  ? blake3_single_group_root(p, len)
                       : a - first < cvs.size() ? cvs[a - first]
                                                : blake3_subtree_cv(p, len, a * kBlake3GroupChunks);
      return got == expected;
    }
    if (proof_pos + 64 > proof_len) return false;
    Blake3Hash l{}, r{};
    std::memcpy(l.data(), proof + proof_pos, 32);
    std::memcpy(r.data(), proof + proof_pos + 32, 32);
    proof_pos += 64;
    if (blake3_parent_cv(l, r, is_root) != expected) return false;
    std::uint64_t mid = a + left_groups(b - a);
    return node(a, mid, l, false) && node(mid, b, r, false);
  }
};

}  // namespace

std::uint64_t blake3_group_count(std::uint64_t size) {
  return size == 0 ? 1 : (size + kBlake3GroupLen - 1) / kBlake3GroupLen;
}

std::uint64_t blake3_range_bytes(std::uint64_t size, std::uint64_t first, std::uint64_t end) {
  std::uint64_t a = std::min(size, first * kBlake3GroupLen);
  std::uint64_t b = std::min(size, end * kBlake3GroupLen);
  return b > a ? b - a : 0;
}

std::vector<std::uint8_t> blake3_range_proof(const std::uint8_t* outboard, std::size_t outboard_len,
                                             std::uint64_t size, std::uint64_t first, std::uint64_t end,
                                             bool& ok) {
  std::vector<std::uint8_t> out;
  std::uint64_t groups = blake3_group_count(size);
  ok = false;
  if (first >= end || end > groups || outboard_len != (groups - 1) * 64) return out;
  ProofWriter w{outboard, outboard_len / 64, first, end, out};
  ok = w.node(0, groups, 0);
  if (!ok) out.clear();
  return out;
}

bool blake3_verify_range(const Blake3Hash& root, std::uint64_t size, std::uint64_t first, std::uint64_t end,
                         const std::uint8_t* proof, std::size_t proof_len, const std::uint8_t* data,
                         std::size_t data_len) {
  std::uint64_t groups = blake3_group_count(size);
  if (first >= end || end > groups) return false;
  if (data_len != blake3_range_bytes(size, first, end)) return false;
  std::vector<Blake3Hash> cvs;
  if (groups > 1) {  // (a blob of one group is the root, hashed with its flag)
    std::uint64_t full_end = std::min(end, size / kBlake3GroupLen);
    if (full_end > first) {
      cvs.resize(full_end - first);
      blake3_group_cvs(data, cvs.size(), first, cvs.data());
    }
  }
  RangeVerifier v{size, first, end, proof, proof_len, data, data_len, cvs};
  return v.node(0, groups, root, true) && v.proof_pos == proof_len && v.data_pos == data_len;
}

}  // namespace st::crypto
