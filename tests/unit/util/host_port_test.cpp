#include "util/host_port.hpp"

#include <gtest/gtest.h>

using st::util::canonical_ip;
using st::util::format_host_port;
using st::util::parse_host_port;

TEST(HostPort, ParsesNamesV4AndBracketedV6) {
  auto a = parse_host_port("music.example.org:11204");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "music.example.org");
  EXPECT_EQ(a->port, 11204);
  auto b = parse_host_port("198.51.100.7:1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "198.51.100.7");
  auto c = parse_host_port("[2001:DB8:0:0::0001]:65535");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "2001:db8::1");  // canonical, so the same address compares equal however it was written
  EXPECT_EQ(c->port, 65535);
}

TEST(HostPort, MappedV6IsV4) {
  auto a = parse_host_port("[::ffff:198.51.100.7]:11204");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "198.51.100.7");
  EXPECT_EQ(canonical_ip("::ffff:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_ip("[2001:db8::0:1]"), "2001:db8::1");
  EXPECT_EQ(canonical_ip("host.example"), "host.example");
}

TEST(HostPort, RejectsUnbracketedV6WithAReason) {
  std::string why;
  EXPECT_FALSE(parse_host_port("2001:db8::1:11204", &why));
  EXPECT_NE(why.find("brackets"), std::string::npos) << why;
  EXPECT_FALSE(parse_host_port("::1:80", &why));
  EXPECT_NE(why.find("brackets"), std::string::npos) << why;
}

TEST(HostPort, RejectsMalformed) {
  for (const char* bad : {"", ":80", "host", "host:", "host:0", "host:65536", "host:-1", "host:+80", "host:8x",
                          "[2001:db8::1]", "[2001:db8::1]80", "[2001:db8::1:80", "[]:80", "[host.example]:80",
                          "[1.2.3.4]:80", "[fe80::1%eth0]:80", "ho st:80", "a/b:80", "a@b:80"}) {
    std::string why;
    EXPECT_FALSE(parse_host_port(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  EXPECT_FALSE(parse_host_port(std::string(300, 'a') + ":80"));
}

TEST(HostPort, FormatRoundTrips) {
  EXPECT_EQ(format_host_port("2001:db8::1", 11204), "[2001:db8::1]:11204");
  EXPECT_EQ(format_host_port("198.51.100.7", 80), "198.51.100.7:80");
  EXPECT_EQ(format_host_port("music.example.org", 80), "music.example.org:80");
  for (const char* s : {"[2001:db8::1]:11204", "198.51.100.7:80", "music.example.org:80"}) {
    auto p = parse_host_port(s);
    ASSERT_TRUE(p) << s;
    EXPECT_EQ(format_host_port(p->host, p->port), s);
  }
}
