#include "p2p/range_reply.hpp"

#include <algorithm>

#include "crypto/blake3_range.hpp"

namespace st::p2p {

namespace {

void put_be(std::string& s, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) s.push_back(static_cast<char>(v >> (i * 8)));
}

std::uint64_t get_be(std::string_view s, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  return v;
}

}  // namespace

std::string range_reply_head(std::uint64_t size, std::uint64_t first, std::uint64_t end,
                             const std::vector<std::uint8_t>& proof) {
  std::string out;
  put_be(out, size, 8);
  put_be(out, first, 8);
  put_be(out, end, 8);
  put_be(out, proof.size(), 4);
  out.append(reinterpret_cast<const char*>(proof.data()), proof.size());
  return out;
}

RangeCheck check_range_reply(std::string_view p, const crypto::Blake3Hash& root, std::uint64_t first,
                             std::optional<std::uint64_t> known_size, CheckedRange& out) {
  if (p.size() < kRangeHeader) return RangeCheck::malformed;
  auto size = get_be(p, 0, 8);
  if (known_size && size != *known_size) return RangeCheck::malformed;
  auto groups = crypto::blake3_group_count(size);
  auto most = std::min(groups, first + kRangeGroups);
  auto end = get_be(p, 16, 8);
  if (first >= groups || get_be(p, 8, 8) != first || end > most || end <= first) return RangeCheck::malformed;
  auto proof_len = get_be(p, 24, 4);
  if (proof_len > p.size() - kRangeHeader) return RangeCheck::malformed;
  auto* proof = reinterpret_cast<const std::uint8_t*>(p.data() + kRangeHeader);
  auto* data = proof + proof_len;
  std::size_t data_len = p.size() - kRangeHeader - proof_len;
  if (!crypto::blake3_verify_range(root, size, first, end, proof, proof_len, data, data_len)) return RangeCheck::bad_proof;
  out = {size, end, reinterpret_cast<const char*>(data), data_len};
  return RangeCheck::ok;
}

crypto::Blake3Hash root_from_hex(const std::string& hash) {
  crypto::Blake3Hash root{};
  for (std::size_t i = 0; i < root.size(); ++i)
    root[i] = static_cast<std::uint8_t>(std::stoi(hash.substr(i * 2, 2), nullptr, 16));
  return root;
}

}  // namespace st::p2p
