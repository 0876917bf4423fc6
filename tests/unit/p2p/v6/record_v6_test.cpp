// IPv6 in a node's DHT record: a bracketed address round-trips; an unbracketed one (ambiguous) or a
// malformed one from someone else's record is dropped, the rest of the record kept.
#include <gtest/gtest.h>

#include <cstring>

#include "crypto/identity.hpp"
#include "p2p/dht/pkarr.hpp"

namespace st::p2p::dht {
namespace {

PublicKey key_of(std::uint8_t fill) {
  crypto::Ed25519Seed seed{};
  seed.fill(fill);
  crypto::Identity id(seed);
  PublicKey k{};
  std::memcpy(k.data(), id.public_key().data(), 32);
  return k;
}

TEST(RecordV6, BracketedIpv6RoundTrips) {
  auto key = key_of(7);
  NodeRecord r;
  r.addresses = {"[2001:db8:1::2]:11204", "198.18.0.11:11204"};
  std::string why;
  auto back = decode_node_record(key, encode_node_record(key, r), why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->addresses, r.addresses);
}

TEST(RecordV6, UnusableAddressesAreDropped) {
  auto key = key_of(8);
  NodeRecord r;
  r.addresses = {"2001:db8:1::2:11204", "[2001:db8:1::2]:11204", "[fe80::1%eth0]:1", "nohost", "[::1]"};
  std::string why;
  auto back = decode_node_record(key, encode_node_record(key, r), why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->addresses, std::vector<std::string>{"[2001:db8:1::2]:11204"});
}

}  // namespace
}  // namespace st::p2p::dht
