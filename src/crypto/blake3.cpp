#include "crypto/blake3.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "crypto/blake3_backend.hpp"
#include "crypto/blake3_kernels.hpp"
#include "util/strings.hpp"

namespace st::crypto {

namespace {

constexpr std::uint32_t kIv[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                  0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
constexpr int kPermutation[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
constexpr std::uint32_t kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8;
constexpr std::size_t kBlockLen = 64;

inline void g(std::uint32_t* s, int a, int b, int c, int d, std::uint32_t x, std::uint32_t y) {
  s[a] = s[a] + s[b] + x;
  s[d] = std::rotr(s[d] ^ s[a], 16);
  s[c] = s[c] + s[d];
  s[b] = std::rotr(s[b] ^ s[c], 12);
  s[a] = s[a] + s[b] + y;
  s[d] = std::rotr(s[d] ^ s[a], 8);
  s[c] = s[c] + s[d];
  s[b] = std::rotr(s[b] ^ s[c], 7);
}

void compress(const std::uint32_t cv[8], const std::uint32_t block[16], std::uint64_t counter,
              std::uint32_t block_len, std::uint32_t flags, std::uint32_t out[16]) {
  std::uint32_t s[16] = {cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
                         kIv[0], kIv[1], kIv[2], kIv[3], static_cast<std::uint32_t>(counter),
                         static_cast<std::uint32_t>(counter >> 32), block_len, flags};
  std::uint32_t m[16];
  std::memcpy(m, block, sizeof m);
  for (int round = 0; round < 7; ++round) {
    g(s, 0, 4, 8, 12, m[0], m[1]);
    g(s, 1, 5, 9, 13, m[2], m[3]);
    g(s, 2, 6, 10, 14, m[4], m[5]);
    g(s, 3, 7, 11, 15, m[6], m[7]);
    g(s, 0, 5, 10, 15, m[8], m[9]);
    g(s, 1, 6, 11, 12, m[10], m[11]);
    g(s, 2, 7, 8, 13, m[12], m[13]);
    g(s, 3, 4, 9, 14, m[14], m[15]);
    if (round < 6) {
      std::uint32_t p[16];
      for (int i = 0; i < 16; ++i) p[i] = m[kPermutation[i]];
      std::memcpy(m, p, sizeof m);
    }
  }
  for (int i = 0; i < 8; ++i) {
    out[i] = s[i] ^ s[i + 8];
    out[i + 8] = s[i + 8] ^ cv[i];
  }
}

void load_block(const std::uint8_t* data, std::size_t len, std::uint32_t words[16]) {
  std::uint8_t buf[kBlockLen] = {};
  std::memcpy(buf, data, len);
  for (int i = 0; i < 16; ++i)
    words[i] = static_cast<std::uint32_t>(buf[4 * i]) | static_cast<std::uint32_t>(buf[4 * i + 1]) << 8 |
               static_cast<std::uint32_t>(buf[4 * i + 2]) << 16 | static_cast<std::uint32_t>(buf[4 * i + 3]) << 24;
}

Blake3Hash words_to_bytes(const std::uint32_t w[8]) {
  Blake3Hash h{};
  for (int i = 0; i < 8; ++i)
    for (int b = 0; b < 4; ++b) h[4 * i + b] = static_cast<std::uint8_t>(w[i] >> (8 * b));
  return h;
}

void bytes_to_words(const Blake3Hash& h, std::uint32_t w[8]) {
  for (int i = 0; i < 8; ++i)
    w[i] = static_cast<std::uint32_t>(h[4 * i]) | static_cast<std::uint32_t>(h[4 * i + 1]) << 8 |
           static_cast<std::uint32_t>(h[4 * i + 2]) << 16 | static_cast<std::uint32_t>(h[4 * i + 3]) << 24;
}

// The inputs of a node's final compression: its CV is the first half of that compression, and when it
// is the root, its output blocks (counter 0, 1, ...) are the extended hash.
struct Output {
  std::uint32_t cv[8];
  std::uint32_t block[16];
  std::uint64_t counter;
  std::uint32_t block_len;
  std::uint32_t flags;

  Blake3Hash chaining_value() const {
    std::uint32_t out[16];
    compress(cv, block, counter, block_len, flags, out);
    return words_to_bytes(out);
  }
  void root_bytes(std::uint8_t* dst, std::size_t len) const {
    std::uint64_t block_index = 0;
    while (len > 0) {
      std::uint32_t out[16];
      compress(cv, block, block_index++, block_len, flags | kRoot, out);
      for (int i = 0; i < 16 && len > 0; ++i)
        for (int b = 0; b < 4 && len > 0; ++b, --len) *dst++ = static_cast<std::uint8_t>(out[i] >> (8 * b));
    }
  }
};

Output chunk_output(const std::uint8_t* data, std::size_t len, std::uint64_t chunk_counter) {
  std::uint32_t cv[8];
  std::memcpy(cv, kIv, sizeof cv);
  std::size_t blocks = len == 0 ? 1 : (len + kBlockLen - 1) / kBlockLen;
  for (std::size_t b = 0; b + 1 < blocks; ++b) {
    std::uint32_t words[16], out[16];
    load_block(data + b * kBlockLen, kBlockLen, words);
    compress(cv, words, chunk_counter, kBlockLen, b == 0 ? kChunkStart : 0, out);
    std::memcpy(cv, out, sizeof cv);
  }
  Output o{};
  std::memcpy(o.cv, cv, sizeof cv);
  std::size_t last_off = (blocks - 1) * kBlockLen;
  std::size_t last_len = len - last_off;
  load_block(data + last_off, last_len, o.block);
  o.counter = chunk_counter;
  o.block_len = static_cast<std::uint32_t>(last_len);
  o.flags = kChunkEnd | (blocks == 1 ? kChunkStart : 0);
  return o;
}

Output parent_output(const Blake3Hash& left, const Blake3Hash& right) {
  Output o{};
  std::memcpy(o.cv, kIv, sizeof o.cv);
  bytes_to_words(left, o.block);
  bytes_to_words(right, o.block + 8);
  o.counter = 0;
  o.block_len = kBlockLen;
  o.flags = kParent;
  return o;
}

// Largest power of two strictly below n (n >= 2).
std::uint64_t left_count(std::uint64_t n) { return std::bit_floor(n - 1); }

// The final node of the subtree over data (root or not is decided by the caller).
Output subtree_output(const std::uint8_t* data, std::size_t len, std::uint64_t first_chunk) {
  if (len <= kBlake3ChunkLen) return chunk_output(data, len, first_chunk);
  std::uint64_t chunks = (len + kBlake3ChunkLen - 1) / kBlake3ChunkLen;
  std::size_t left_len = static_cast<std::size_t>(left_count(chunks)) * kBlake3ChunkLen;
  auto l = subtree_output(data, left_len, first_chunk).chaining_value();
  auto r = subtree_output(data + left_len, len - left_len, first_chunk + left_len / kBlake3ChunkLen).chaining_value();
  return parent_output(l, r);
}

// The node over chunk CVs [a, b) (b - a >= 2), split as the BLAKE3 tree splits chunks.
Output cv_subtree(const Blake3Hash* cvs, std::size_t a, std::size_t b) {
  std::size_t mid = a + static_cast<std::size_t>(left_count(b - a));
  auto l = mid - a == 1 ? cvs[a] : cv_subtree(cvs, a, mid).chaining_value();
  auto r = b - mid == 1 ? cvs[mid] : cv_subtree(cvs, mid, b).chaining_value();
  return parent_output(l, r);
}

// subtree_output for what is left at the end (at most a group): its complete chunks in SIMD lanes, the
// partial last one and the parents above them portable. The same bytes as subtree_output.
Output tail_output(const std::uint8_t* data, std::size_t len, std::uint64_t first_chunk) {
  if (len <= kBlake3ChunkLen) return chunk_output(data, len, first_chunk);
  std::array<Blake3Hash, kBlake3GroupChunks> cvs;
  std::size_t chunks = (len + kBlake3ChunkLen - 1) / kBlake3ChunkLen;
  if (chunks > cvs.size()) return subtree_output(data, len, first_chunk);
  std::size_t whole = len / kBlake3ChunkLen;  // more than one chunk: none of them is the root
  blake3_chunk_cvs(data, whole, first_chunk, cvs.data());
  if (whole < chunks)
    cvs[whole] = chunk_output(data + whole * kBlake3ChunkLen, len - whole * kBlake3ChunkLen, first_chunk + whole)
                     .chaining_value();
  return cv_subtree(cvs.data(), 0, chunks);
}

// The tree over group CVs [a, b): pre-order pairs appended to outboard; returns the top node.
Output group_tree(const std::vector<Blake3Hash>& groups, std::size_t a, std::size_t b,
                  std::vector<std::uint8_t>& outboard) {
  std::size_t slot = outboard.size();
  outboard.resize(slot + 64);
  std::size_t mid = a + static_cast<std::size_t>(left_count(b - a));
  Blake3Hash l = mid - a == 1 ? groups[a] : group_tree(groups, a, mid, outboard).chaining_value();
  Blake3Hash r = b - mid == 1 ? groups[mid] : group_tree(groups, mid, b, outboard).chaining_value();
  std::memcpy(outboard.data() + slot, l.data(), 32);
  std::memcpy(outboard.data() + slot + 32, r.data(), 32);
  return parent_output(l, r);
}

}  // namespace

namespace detail {

void blake3_portable_chunk(const std::uint8_t* data, std::uint64_t chunk, std::uint8_t* out) {
  auto h = chunk_output(data, kBlake3ChunkLen, chunk).chaining_value();
  std::memcpy(out, h.data(), h.size());
}

void blake3_portable_parent(const std::uint8_t* block, std::uint8_t* out) {
  Blake3Hash l, r;
  std::memcpy(l.data(), block, 32);
  std::memcpy(r.data(), block + 32, 32);
  auto h = parent_output(l, r).chaining_value();
  std::memcpy(out, h.data(), h.size());
}

}  // namespace detail

void Blake3::hash_groups(const std::uint8_t* data, std::size_t n) {
  std::size_t at = group_cvs_.size();
  group_cvs_.resize(at + n);
  blake3_group_cvs(data, n, at, group_cvs_.data() + at);
}

void Blake3::update(const void* data, std::size_t len) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  size_ += len;
  if (len == 0) return;
  // A group is hashed only once more data proves it is not the last one (the last may be the root).
  if (!pending_.empty()) {
    std::size_t take = std::min(kBlake3GroupLen - pending_.size(), len);
    pending_.insert(pending_.end(), p, p + take);
    p += take;
    len -= take;
    if (len == 0) return;
    hash_groups(pending_.data(), 1);
    pending_.clear();
  }
  // Whole groups straight from the caller's buffer, in SIMD lanes; at least one byte stays pending.
  std::size_t full = (len - 1) / kBlake3GroupLen;
  hash_groups(p, full);
  p += full * kBlake3GroupLen;
  len -= full * kBlake3GroupLen;
  pending_.assign(p, p + len);
}

namespace {
struct Finished {
  Output top;
  std::vector<std::uint8_t> outboard;
};

Finished finish_tree(std::vector<Blake3Hash>& groups, std::vector<std::uint8_t>& pending) {
  Finished f;
  if (groups.empty()) {
    f.top = tail_output(pending.data(), pending.size(), 0);
    return f;
  }
  std::uint64_t first_chunk = groups.size() * kBlake3GroupChunks;
  groups.push_back(tail_output(pending.data(), pending.size(), first_chunk).chaining_value());
  f.top = group_tree(groups, 0, groups.size(), f.outboard);
  return f;
}
}  // namespace

Blake3::Result Blake3::finish() {
  auto f = finish_tree(group_cvs_, pending_);
  Result r;
  f.top.root_bytes(r.root.data(), r.root.size());
  r.size = size_;
  r.outboard = std::move(f.outboard);
  return r;
}

std::vector<std::uint8_t> Blake3::finish_xof(std::size_t out_len) {
  auto f = finish_tree(group_cvs_, pending_);
  std::vector<std::uint8_t> out(out_len);
  f.top.root_bytes(out.data(), out_len);
  return out;
}

Blake3Hash blake3(std::string_view data) {
  Blake3 h;
  h.update(data);
  return h.finish().root;
}

std::string to_hex(const Blake3Hash& h) { return util::to_hex(h.data(), h.size()); }

Blake3Hash blake3_subtree_cv(const std::uint8_t* data, std::size_t len, std::uint64_t first_chunk) {
  if (len == kBlake3GroupLen && first_chunk % kBlake3GroupChunks == 0) {
    Blake3Hash h;
    blake3_group_cvs(data, 1, first_chunk / kBlake3GroupChunks, &h);
    return h;
  }
  return subtree_output(data, len, first_chunk).chaining_value();
}

Blake3Hash blake3_parent_cv(const Blake3Hash& left, const Blake3Hash& right, bool is_root) {
  auto o = parent_output(left, right);
  if (!is_root) return o.chaining_value();
  Blake3Hash h{};
  o.root_bytes(h.data(), h.size());
  return h;
}

Blake3Hash blake3_single_group_root(const std::uint8_t* data, std::size_t len) {
  Blake3Hash h{};
  subtree_output(data, len, 0).root_bytes(h.data(), h.size());
  return h;
}

namespace {

struct OutboardWalk {
  const std::uint8_t* data;
  std::uint64_t size;
  const std::vector<std::uint8_t>& outboard;
  std::size_t next_pair = 0;

  // Verifies groups [a, b) whose node must have CV `expected` (or be the root when is_root).
  bool node(std::uint64_t a, std::uint64_t b, const Blake3Hash& expected, bool is_root) {
    if (b - a == 1) {
      std::uint64_t off = a * kBlake3GroupLen;
      std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(kBlake3GroupLen, size - off));
      Blake3Hash got = is_root ? blake3_single_group_root(data + off, len)
                               : blake3_subtree_cv(data + off, len, a * kBlake3GroupChunks);
      return got == expected;
    }
    if (next_pair * 64 + 64 > outboard.size()) return false;
    Blake3Hash l{}, r{};
    std::memcpy(l.data(), outboard.data() + next_pair * 64, 32);
    std::memcpy(r.data(), outboard.data() + next_pair * 64 + 32, 32);
    ++next_pair;
    if (blake3_parent_cv(l, r, is_root) != expected) return false;
    std::uint64_t mid = a + left_count(b - a);
    return node(a, mid, l, false) && node(mid, b, r, false);
  }
};

}  // namespace

bool blake3_verify_outboard(const Blake3Hash& root, const std::uint8_t* data, std::uint64_t size,
                            const std::vector<std::uint8_t>& outboard) {
  std::uint64_t groups = size == 0 ? 1 : (size + kBlake3GroupLen - 1) / kBlake3GroupLen;
  if (outboard.size() != (groups - 1) * 64) return false;
  OutboardWalk w{data, size, outboard};
  return w.node(0, groups, root, true) && w.next_pair * 64 == outboard.size();
}

}  // namespace st::crypto
