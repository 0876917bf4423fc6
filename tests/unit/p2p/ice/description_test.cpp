#include <gtest/gtest.h>

#include "p2p/transport/ice/ice_session.hpp"

using namespace st::p2p::ice;

namespace {

const std::string kHost = "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ host";
const std::string kSrflx = "candidate:2 1 UDP 1677721855 198.18.0.11 40000 typ srflx raddr 10.0.1.2 rport 40000";
const std::string kRelay = "candidate:3 1 UDP 16777215 198.18.0.10 50123 typ relay raddr 198.18.0.11 rport 40000";

IceDescription sample() { return {"abcd", "abcdefghijklmnopqrstuv", {kHost, kSrflx, kRelay}}; }

std::string why_of(std::string_view text) {
  std::string why;
  auto d = decode_description(text, why);
  EXPECT_FALSE(d) << text;
  EXPECT_FALSE(why.empty());
  return why;
}

std::string with_candidate(const std::string& c) { return "ice-ufrag:abcd\nice-pwd:abcdefghijklmnopqrstuv\n" + c + "\n"; }

}  // namespace

TEST(IceDescription, RoundTrip) {
  auto d = sample();
  std::string why;
  auto back = decode_description(encode_description(d), why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->ufrag, d.ufrag);
  EXPECT_EQ(back->pwd, d.pwd);
  EXPECT_EQ(back->candidates, d.candidates);
}

TEST(IceDescription, AcceptsCrlfBlankLinesIpv6TcpAndExtensions) {
  std::string text = "ice-ufrag:ab+/\r\n\r\nice-pwd:ABCDEFGHIJKLMNOPQRSTUV12\r\n"
                     "candidate:7 1 udp 2013266431 2001:db8::2 40000 typ host generation 0 network-id 1\r\n"
                     "candidate:8 1 TCP 1015022079 10.0.1.2 9 typ host tcptype active\r\n";
  std::string why;
  auto d = decode_description(text, why);
  ASSERT_TRUE(d) << why;
  ASSERT_EQ(d->candidates.size(), 2u);
  EXPECT_EQ(d->candidates[0], "candidate:7 1 udp 2013266431 2001:db8::2 40000 typ host generation 0 network-id 1");
}

TEST(IceDescription, NoCandidatesIsAllowed) {
  std::string why;
  EXPECT_TRUE(decode_description("ice-ufrag:abcd\nice-pwd:abcdefghijklmnopqrstuv\n", why)) << why;
}

TEST(IceDescription, RejectsMalformedCredentials) {
  why_of("");
  why_of("ice-ufrag:abcd\n");
  why_of("ice-pwd:abcdefghijklmnopqrstuv\n");
  why_of("ice-ufrag:abc\nice-pwd:abcdefghijklmnopqrstuv\n");        // ufrag too short
  why_of("ice-ufrag:abcd\nice-pwd:short\n");                        // pwd too short
  why_of("ice-ufrag:ab cd\nice-pwd:abcdefghijklmnopqrstuv\n");      // space
  why_of("ice-ufrag:abcd\nice-ufrag:abcd\nice-pwd:abcdefghijklmnopqrstuv\n");
  why_of("ice-ufrag:abcd\nice-pwd:abcdefghijklmnopqrstuv\nhello\n");  // unknown line
  why_of("ice-ufrag:" + std::string(257, 'a') + "\nice-pwd:abcdefghijklmnopqrstuv\n");
}

TEST(IceDescription, RejectsMalformedCandidates) {
  const char* bad[] = {
      "candidate:1 1 UDP 2013266431 example.com 40000 typ host",     // a name, not an address
      "candidate:1 1 UDP 2013266431 224.0.0.1 40000 typ host",       // multicast
      "candidate:1 1 UDP 2013266431 0.0.0.0 40000 typ host",         // unspecified
      "candidate:1 1 UDP 2013266431 255.255.255.255 40000 typ host", // broadcast
      "candidate:1 1 UDP 2013266431 ff02::1 40000 typ host",
      "candidate:1 1 UDP 2013266431 fe80::1%eth0 40000 typ host",    // zone
      "candidate:1 1 UDP 2013266431 10.0.1.2 0 typ host",
      "candidate:1 1 UDP 2013266431 10.0.1.2 65536 typ host",
      "candidate:1 1 UDP 4294967296 10.0.1.2 40000 typ host",        // priority overflow
      "candidate:1 1 UDP 0 10.0.1.2 40000 typ host",
      "candidate:1 1 UDP -5 10.0.1.2 40000 typ host",
      "candidate:1 2 UDP 2013266431 10.0.1.2 40000 typ host",        // component 2
      "candidate:1 1 SCTP 2013266431 10.0.1.2 40000 typ host",
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ cname",
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000",                  // no typ
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 host typ",
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ host typ host",
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ srflx raddr 10.0.0.1",   // raddr without rport
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ srflx rport 5",
      "candidate:1 1 TCP 2013266431 10.0.1.2 40000 typ host",                   // tcptype missing
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ host tcptype active",    // tcptype on UDP
      "candidate:1  1 UDP 2013266431 10.0.1.2 40000 typ host",                  // empty field
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ host ",
      "candidate:a-b 1 UDP 2013266431 10.0.1.2 40000 typ host",                 // foundation chars
      "candidate: 1 UDP 2013266431 10.0.1.2 40000 typ host",
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ host x1 a x2 b x3 c x4 d x5 e",  // too many extensions
      "candidate:1 1 UDP 2013266431 10.0.1.2 40000 typ host Gen 0",             // bad extension name
  };
  for (const char* c : bad) {
    std::string why;
    EXPECT_FALSE(valid_candidate(c, why)) << c;
    why_of(with_candidate(c));
  }
}

TEST(IceDescription, EnforcesSizeAndCountLimits) {
  std::string many = "ice-ufrag:abcd\nice-pwd:abcdefghijklmnopqrstuv\n";
  for (int i = 0; i < 32; ++i) many += "candidate:" + std::to_string(i) + " 1 UDP 1 10.0.1.2 " + std::to_string(40000 + i) + " typ host\n";
  std::string why;
  EXPECT_TRUE(decode_description(many, why)) << why;
  many += "candidate:99 1 UDP 1 10.0.1.2 41000 typ host\n";
  EXPECT_NE(why_of(many).find("32"), std::string::npos);
  std::string big = "ice-ufrag:abcd\nice-pwd:abcdefghijklmnopqrstuv\n" + std::string(4100, '\n');
  EXPECT_NE(why_of(big).find("4 KiB"), std::string::npos);
}
