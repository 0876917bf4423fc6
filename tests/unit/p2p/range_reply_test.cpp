#include "p2p/range_reply.hpp"

#include <gtest/gtest.h>

#include "crypto/blake3.hpp"
#include "crypto/blake3_range.hpp"

namespace st::p2p {
namespace {

// A reply for groups [first, end) of `blob`, as a sender builds it.
std::string reply_for(const std::string& blob, const std::vector<std::uint8_t>& outboard, std::uint64_t first,
                      std::uint64_t end) {
  bool ok = false;
  auto proof = crypto::blake3_range_proof(outboard.data(), outboard.size(), blob.size(), first, end, ok);
  EXPECT_TRUE(ok);
  auto out = range_reply_head(blob.size(), first, end, proof);
  auto from = first * crypto::kBlake3GroupLen;
  out += blob.substr(from, crypto::blake3_range_bytes(blob.size(), first, end));
  return out;
}

TEST(RangeReply, ChecksWhatTheSenderBuiltAndRefusesTheRest) {
  std::string blob(100 * crypto::kBlake3GroupLen + 123, '\0');
  for (std::size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i * 131 + i / 7);
  crypto::Blake3 h;
  h.update(blob);
  auto r = h.finish();
  auto hex = crypto::to_hex(r.root);
  EXPECT_EQ(root_from_hex(hex), r.root);

  auto reply = reply_for(blob, r.outboard, 64, 101);  // the last, short range
  CheckedRange range;
  ASSERT_EQ(check_range_reply(reply, r.root, 64, blob.size(), range), RangeCheck::ok);
  EXPECT_EQ(range.size, blob.size());
  EXPECT_EQ(range.end, 101u);
  EXPECT_EQ(std::string(range.data, range.data_len), blob.substr(64 * crypto::kBlake3GroupLen));

  EXPECT_EQ(check_range_reply(reply, r.root, 64, std::nullopt, range), RangeCheck::ok) << "size learnt from the reply";
  EXPECT_EQ(check_range_reply(reply, r.root, 64, blob.size() + 1, range), RangeCheck::malformed) << "another size";
  EXPECT_EQ(check_range_reply(reply, r.root, 0, blob.size(), range), RangeCheck::malformed) << "not the range asked";
  EXPECT_EQ(check_range_reply(reply.substr(0, kRangeHeader - 1), r.root, 64, blob.size(), range), RangeCheck::malformed);
  auto bad = reply;
  bad[bad.size() - 5] ^= 1;
  EXPECT_EQ(check_range_reply(bad, r.root, 64, blob.size(), range), RangeCheck::bad_proof);
  auto long_proof = reply;
  long_proof[24] = '\x7f';  // a proof longer than the reply
  EXPECT_EQ(check_range_reply(long_proof, r.root, 64, blob.size(), range), RangeCheck::malformed);
  EXPECT_EQ(check_range_reply(reply_for(blob, r.outboard, 0, 64), r.root, 0, blob.size(), range), RangeCheck::ok);
  EXPECT_EQ(check_range_reply(reply_for(blob, r.outboard, 0, 10), r.root, 0, blob.size(), range), RangeCheck::ok)
      << "a shorter range within the request checks out (the caller decides whether it wanted more)";
  EXPECT_EQ(range.end, 10u);
}

}  // namespace
}  // namespace st::p2p
