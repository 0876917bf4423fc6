// LAN announcements: only a well-formed, fresh packet signed by the key it names is accepted; Avahi's
// parsable browse lines give a peer only for our service with a NodeId in its TXT record.
#include <gtest/gtest.h>

#include "p2p/lan_discovery.hpp"

using namespace st;
using namespace st::p2p;

namespace {

crypto::Identity identity(std::uint8_t seed) {
  crypto::Ed25519Seed s{};
  s.fill(seed);
  return crypto::Identity(s);
}

constexpr std::uint64_t kNow = 1795000000;

}  // namespace

TEST(LanAnnouncement, RoundTripsWhenSignedAndFresh) {
  auto a = identity(3);
  auto p = encode_lan_announcement(a, 11204, kNow);
  ASSERT_EQ(p.size(), kLanAnnouncementSize);
  EXPECT_EQ(p.substr(0, 4), "STLA");
  std::string why;
  auto d = decode_lan_announcement(p, kNow + 10, &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ(d->node_id, a.node_id());
  EXPECT_EQ(d->port, 11204);
  EXPECT_EQ(d->timestamp, kNow);
}

TEST(LanAnnouncement, RefusesTamperingStalenessAndJunk) {
  auto a = identity(3), b = identity(4);
  auto p = encode_lan_announcement(a, 11204, kNow);
  std::string why;
  auto port = p;
  port[38] = static_cast<char>(port[38] ^ 1);  // another port, same signature
  EXPECT_FALSE(decode_lan_announcement(port, kNow, &why));
  EXPECT_EQ(why, "bad signature");
  auto key = p;
  auto pb = b.public_key();
  key.replace(5, 32, reinterpret_cast<const char*>(pb.data()), 32);  // B's key on A's signature
  EXPECT_FALSE(decode_lan_announcement(key, kNow, &why));
  EXPECT_EQ(why, "bad signature");
  EXPECT_FALSE(decode_lan_announcement(p, kNow + kLanMaxSkewSeconds + 1, &why));
  EXPECT_EQ(why, "stale timestamp");
  EXPECT_FALSE(decode_lan_announcement(p, kNow - kLanMaxSkewSeconds - 1, &why));
  EXPECT_FALSE(decode_lan_announcement(p.substr(0, 110), kNow, &why));
  EXPECT_EQ(why, "wrong size");
  EXPECT_FALSE(decode_lan_announcement(p + "x", kNow, &why));
  auto magic = p;
  magic[0] = 'X';
  EXPECT_FALSE(decode_lan_announcement(magic, kNow, &why));
  EXPECT_EQ(why, "not a SoundTime announcement");
  auto version = p;
  version[4] = 2;
  EXPECT_FALSE(decode_lan_announcement(version, kNow, &why));
  EXPECT_EQ(why, "unknown version");
  EXPECT_FALSE(decode_lan_announcement(encode_lan_announcement(a, 0, kNow), kNow, &why));
  EXPECT_EQ(why, "port 0");
}

TEST(LanGroup, OnlyAdministrativelyScopedIpv4Groups) {
  EXPECT_EQ(parse_lan_group("239.255.41.204:11205"), std::make_pair(std::string("239.255.41.204"), std::uint16_t(11205)));
  EXPECT_FALSE(parse_lan_group("224.0.0.251:5353"));  // link-local mDNS group: not ours
  EXPECT_FALSE(parse_lan_group("192.168.1.1:11205"));
  EXPECT_FALSE(parse_lan_group("239.1.1.1"));
  EXPECT_FALSE(parse_lan_group("239.1.1.1:0"));
  EXPECT_FALSE(parse_lan_group("nonsense:1"));
}

TEST(AvahiBrowse, ParsesResolvedLinesOfOurServiceOnly) {
  std::string id(64, 'a');
  auto p = parse_avahi_browse_line("=;eth0;IPv4;SoundTime\\032aaaaaaaa;_soundtime-p2p._tcp;local;box.local;192.168.1.5;11204;\"node_id=" +
                                   id + "\"");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->node_id, id);
  EXPECT_EQ(p->address, "192.168.1.5:11204");
  auto v6 = parse_avahi_browse_line("=;eth0;IPv6;X;_soundtime-p2p._tcp;local;box.local;2001:db8::5;11204;\"v=1\" \"node_id=" + id + "\"");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "[2001:db8::5]:11204");
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv6;X;_soundtime-p2p._tcp;local;box.local;fe80::1;11204;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("+;eth0;IPv4;X;_soundtime-p2p._tcp;local"));  // not resolved
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_http._tcp;local;box.local;192.168.1.5;80;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;192.168.1.5;99999;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;not-an-ip;11204;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;192.168.1.5;11204;\"node_id=xyz\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;192.168.1.5;11204;\"node_id=" + id + "b\""));
  EXPECT_FALSE(parse_avahi_browse_line(""));
}
