#include "p2p/reach/signal.hpp"

#include <gtest/gtest.h>

#include "p2p/protocol/messages.hpp"

namespace st::p2p {
namespace {

crypto::Identity key(std::uint8_t b) {
  crypto::Ed25519Seed s{};
  s.fill(b);
  return crypto::Identity(s);
}

TEST(Signal, SignedByItsAuthorAndCheckedWord) {
  auto a = key(1), b = key(2);
  auto s = sign_signal(a, b.node_id(), "offer", "ufrag pwd cand", "", 1000);
  EXPECT_EQ(check_signal(s, 1000), "");
  EXPECT_EQ(s.nonce.size(), 32u);
  // The codec carries it intact.
  auto d = decode_message(encode_message(s));
  ASSERT_TRUE(d.message) << d.error;
  EXPECT_EQ(check_signal(std::get<Signal>(*d.message), 1000), "");
}

TEST(Signal, ForgedStaleOrOversizedSignalsAreRefused) {
  auto a = key(1), b = key(2), c = key(3);
  auto s = sign_signal(a, b.node_id(), "offer", "desc", "", 1000);
  auto forged = s;
  forged.from = c.node_id();  // a rendezvous claiming someone else wrote it
  EXPECT_EQ(check_signal(forged, 1000), "bad signature");
  auto altered = s;
  altered.description = "other";
  EXPECT_EQ(check_signal(altered, 1000), "bad signature");
  EXPECT_NE(check_signal(s, 1000 + kSignalMaxAgeSeconds + 1), "");
  EXPECT_NE(check_signal(s, 1000 - kSignalMaxAgeSeconds - 1), "");
  auto big = sign_signal(a, b.node_id(), "offer", std::string(kSignalMaxDescription + 1, 'x'), "", 1000);
  EXPECT_NE(check_signal(big, 1000), "");
  auto self = sign_signal(a, a.node_id(), "offer", "d", "", 1000);
  EXPECT_NE(check_signal(self, 1000), "");
  auto kind = sign_signal(a, b.node_id(), "hello", "d", "", 1000);
  EXPECT_NE(check_signal(kind, 1000), "");
}

TEST(Signal, ReplayedNoncesAreCaught) {
  NonceCache n;
  EXPECT_TRUE(n.fresh("aa", 1000));
  EXPECT_FALSE(n.fresh("aa", 1001));
  EXPECT_TRUE(n.fresh("bb", 1001));
  // Bounded: old nonces go (they are refused as stale by their timestamp anyway).
  for (int i = 0; i < 10000; ++i) n.fresh("n" + std::to_string(i), 1002);
  EXPECT_TRUE(n.fresh("aa", 1002 + 4 * kSignalMaxAgeSeconds));
}

TEST(Signal, RateLimiterAllowsABurstThenRefuses) {
  RateLimiter r(3, std::chrono::hours(1));
  EXPECT_TRUE(r.allow("x"));
  EXPECT_TRUE(r.allow("x"));
  EXPECT_TRUE(r.allow("x"));
  EXPECT_FALSE(r.allow("x"));
  EXPECT_TRUE(r.allow("y"));  // per sender
}

}  // namespace
}  // namespace st::p2p
