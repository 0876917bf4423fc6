#include "p2p/dht/pkarr.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "crypto/identity.hpp"
#include "lib/ssl/digest.hpp"
#include "util/strings.hpp"

namespace st::p2p::dht {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> hex(std::string_view h) {
  auto raw = util::from_hex(h);
  EXPECT_TRUE(raw && raw->size() == N);
  std::array<std::uint8_t, N> out{};
  if (raw && raw->size() == N) std::memcpy(out.data(), raw->data(), N);
  return out;
}

crypto::Identity identity(std::uint8_t fill) {
  crypto::Ed25519Seed seed{};
  seed.fill(fill);
  return crypto::Identity(seed);
}

PublicKey key_of(const crypto::Identity& id) {
  PublicKey k{};
  std::memcpy(k.data(), id.public_key().data(), 32);
  return k;
}

// BEP 44's test vector 1 (mutable, no salt): its published signature over "3:seqi1e1:v12:Hello World!".
TEST(Pkarr, Bep44TestVectorVerifies) {
  SignedPacket p;
  p.key = hex<32>("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
  p.sig = hex<64>(
      "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff"
      "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");
  p.timestamp_us = 1;
  p.dns = "Hello World!";
  EXPECT_EQ(signable(1, "Hello World!"), "3:seqi1e1:v12:Hello World!");
  EXPECT_EQ(check_packet(p), "");
  // The item's target, sha1(k), as the BEP gives it.
  auto target = lib::ssl::sha1(std::string(reinterpret_cast<const char*>(p.key.data()), 32));
  EXPECT_EQ(util::to_hex(reinterpret_cast<const unsigned char*>(target.data()), target.size()),
            "4a533d47ec9c7d95b1ad75f576cffc641853b750");
  auto other_seq = p;
  other_seq.timestamp_us = 2;
  EXPECT_EQ(check_packet(other_seq), "bad signature");
  auto other_value = p;
  other_value.dns = "Hello World?";
  EXPECT_EQ(check_packet(other_value), "bad signature");
}

TEST(Pkarr, SignedPacketsVerifyAndForgeriesDoNot) {
  auto id = identity(7);
  auto p = sign_packet(id, "some dns bytes", 1700000000123456);
  EXPECT_EQ(p.key, key_of(id));
  EXPECT_EQ(check_packet(p), "");
  auto forged = p;
  forged.sig[10] ^= 1;
  EXPECT_EQ(check_packet(forged), "bad signature");
  auto other_key = p;
  other_key.key = key_of(identity(8));
  EXPECT_EQ(check_packet(other_key), "bad signature");
}

TEST(Pkarr, OversizedPacketsAreRefused) {
  auto id = identity(1);
  EXPECT_EQ(check_packet(sign_packet(id, std::string(995, 'x'), 5)), "");   // "995:" + 995 = 999 bytes
  EXPECT_EQ(check_packet(sign_packet(id, std::string(996, 'x'), 5)), "");   // exactly 1000
  EXPECT_EQ(check_packet(sign_packet(id, std::string(997, 'x'), 5)), "packet too large");
}

TEST(Pkarr, NodeRecordRoundTrips) {
  auto id = identity(3);
  auto key = key_of(id);
  NodeRecord r;
  r.addresses = {"198.18.0.11:11204", "[2001:db8::1]:11204"};
  r.rendezvous = {std::string(64, 'a')};
  r.turn = {"turn.example.org:3478"};
  auto dns = encode_node_record(key, r);
  std::string why;
  auto back = decode_node_record(key, dns, why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(*back, r);
  // The name is `_soundtime.<z32 key>` in the packet, written once and then compressed.
  EXPECT_NE(dns.find(z32_encode(key)), std::string::npos);
  EXPECT_EQ(dns.find(z32_encode(key)), dns.rfind(z32_encode(key)));
  // Another key's packet names other records: nothing of ours in it.
  EXPECT_FALSE(decode_node_record(key_of(identity(4)), dns, why));
  EXPECT_EQ(why, "no _soundtime v=1 record");
}

TEST(Pkarr, EmptyRecordHasOnlyTheVersion) {
  auto key = key_of(identity(3));
  std::string why;
  auto back = decode_node_record(key, encode_node_record(key, {}), why);
  ASSERT_TRUE(back) << why;
  EXPECT_TRUE(back->addresses.empty());
}

TEST(Pkarr, RecordsTooLargeForAnItemAreNotEncoded) {
  auto key = key_of(identity(3));
  NodeRecord r;
  for (int i = 0; i < 40; ++i) r.addresses.push_back("198.18.0." + std::to_string(i) + ":11204");
  EXPECT_THROW(encode_node_record(key, r), std::invalid_argument);
  NodeRecord long_value;
  long_value.turn = {std::string(300, 'x')};
  EXPECT_THROW(encode_node_record(key, long_value), std::invalid_argument);
}

TEST(Pkarr, MalformedDnsIsRefusedWithoutCrashing) {
  auto key = key_of(identity(3));
  auto dns = encode_node_record(key, NodeRecord{{"1.2.3.4:5"}, {}, {}});
  std::string why;
  for (std::size_t n = 0; n < dns.size(); ++n) {
    auto cut = dns.substr(0, n);
    EXPECT_FALSE(decode_node_record(key, cut, why)) << n;
  }
  // A compression pointer to itself (a loop) and one pointing forward.
  std::string loop = dns.substr(0, 12);
  loop[7] = 1;  // one answer
  loop += std::string("\xc0\x0c", 2);
  EXPECT_FALSE(decode_node_record(key, loop, why));
  EXPECT_EQ(why, "malformed DNS record");
  std::string many = dns;
  many[6] = '\x7f';
  EXPECT_FALSE(decode_node_record(key, many, why));
  EXPECT_EQ(why, "too many DNS records");
  EXPECT_FALSE(decode_node_record(key, std::string(1001, '\0'), why));
  EXPECT_EQ(why, "DNS packet too large");
}

TEST(Pkarr, UnsupportedVersionIsRefused) {
  auto key = key_of(identity(3));
  auto dns = encode_node_record(key, {});
  auto at = dns.find("v=1");
  ASSERT_NE(at, std::string::npos);
  dns[at + 2] = '2';
  std::string why;
  EXPECT_FALSE(decode_node_record(key, dns, why));
  EXPECT_EQ(why, "unsupported record version");
}

TEST(Pkarr, NodeIdsAreKeys) {
  auto id = identity(9);
  EXPECT_EQ(key_of_node_id(id.node_id()), key_of(id));
  EXPECT_FALSE(key_of_node_id("abc"));
  EXPECT_FALSE(key_of_node_id(std::string(64, 'g')));
}

TEST(Pkarr, RelayBodyRoundTripsAndForgeriesAreRefused) {
  auto id = identity(5);
  auto p = sign_packet(id, encode_node_record(key_of(id), NodeRecord{{"198.18.0.11:11204"}, {}, {}}), 0x0102030405060708);
  auto body = relay_body(p);
  ASSERT_EQ(body.size(), 72 + p.dns.size());
  EXPECT_EQ(body.substr(64, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  std::string why;
  auto back = parse_relay_body(p.key, body, why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->timestamp_us, p.timestamp_us);
  EXPECT_EQ(back->dns, p.dns);
  EXPECT_FALSE(parse_relay_body(key_of(identity(6)), body, why));
  EXPECT_EQ(why, "bad signature");
  auto tampered = body;
  tampered.back() ^= 1;
  EXPECT_FALSE(parse_relay_body(p.key, tampered, why));
  EXPECT_FALSE(parse_relay_body(p.key, body.substr(0, 71), why));
  EXPECT_EQ(why, "relay body too short");
  EXPECT_FALSE(parse_relay_body(p.key, body + std::string(1100, 'x'), why));
  EXPECT_EQ(why, "relay body too large");
}

}  // namespace
}  // namespace st::p2p::dht
