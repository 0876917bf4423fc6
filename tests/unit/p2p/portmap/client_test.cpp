// The one-shot PCP and NAT-PMP clients against a fake router on 127.0.0.1: map, renew, unmap, refusals,
// strangers' answers and silence.
#include <gtest/gtest.h>

#include "p2p/portmap/port_mapper.hpp"
#include "unit/p2p/portmap/fake_igd.hpp"
#include "unit/p2p/portmap/fake_router.hpp"

using namespace st::p2p::portmap;
using FakeRouter = st::p2p::portmap::test::FakeRouter;

namespace {

PortMapOptions options_for(std::uint16_t port) {
  PortMapOptions o;
  o.gateway = "127.0.0.1";
  o.server_port = port;
  o.internal_port = 11204;
  o.lifetime = std::chrono::seconds(600);
  o.timeout = std::chrono::milliseconds(2000);
  return o;
}

}  // namespace

TEST(PcpClient, MapsRenewsWithTheSameNonceAndUnmaps) {
  FakeRouter::Config c;
  c.assign_port = 11207;
  FakeRouter r(c);
  auto o = options_for(r.port());
  std::string why;
  auto m = map_pcp(o, why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->protocol, "pcp");
  EXPECT_EQ(m->external_ip, "198.18.0.15");
  EXPECT_EQ(m->external_port, 11207);
  EXPECT_EQ(m->lifetime, std::chrono::seconds(600));
  EXPECT_EQ(m->internal_ip, "127.0.0.1");
  EXPECT_EQ(m->internal_port, 11204);
  auto reqs = r.pcp_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(mapped_ipv4(reqs[0].client_ip), 0x7F000001u);  // our source address, IPv4-mapped
  EXPECT_EQ(reqs[0].external_port, 11204);                  // suggested = internal
  EXPECT_EQ(reqs[0].lifetime, 600u);
  EXPECT_NE(reqs[0].nonce, PcpNonce{});

  auto again = map_pcp(o, why, &*m);
  ASSERT_TRUE(again) << why;
  reqs = r.pcp_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].nonce, reqs[0].nonce);
  EXPECT_EQ(reqs[1].external_port, 11207);  // asks for what it holds
  ASSERT_EQ(r.mappings().size(), 1u);

  EXPECT_TRUE(unmap(*again, o));
  reqs = r.pcp_requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].lifetime, 0u);
  EXPECT_EQ(reqs[2].nonce, reqs[0].nonce);
  EXPECT_TRUE(r.mappings().empty());
}

TEST(PcpClient, WaitsPastAStrangersAnswers) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::stranger_first;
  FakeRouter r(c);
  std::string why;
  auto m = map_pcp(options_for(r.port()), why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->external_ip, "198.18.0.15");  // not the stranger's 1.2.3.4
  EXPECT_EQ(m->external_port, 11204);
}

TEST(PcpClient, RefusalNamesTheResultCode) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::refuse;
  c.pcp_error = 8;
  FakeRouter r(c);
  std::string why;
  EXPECT_FALSE(map_pcp(options_for(r.port()), why));
  EXPECT_NE(why.find("NO_RESOURCES"), std::string::npos) << why;
}

TEST(PcpClient, SilenceAndClosedPortsSayNoAnswer) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::silent;
  FakeRouter r(c);
  auto o = options_for(r.port());
  o.timeout = std::chrono::milliseconds(600);
  std::string why;
  EXPECT_FALSE(map_pcp(o, why));
  EXPECT_NE(why.find("no PCP answer"), std::string::npos) << why;
  EXPECT_GE(r.pcp_requests().size(), 2u);  // it retransmitted

  o.server_port = st::p2p::portmap::test::closed_udp_port();
  EXPECT_FALSE(map_pcp(o, why));
  EXPECT_NE(why.find("port unreachable"), std::string::npos) << why;
}

TEST(PcpClient, NatPmpOnlyRouterIsToldApart) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::natpmp_only;
  FakeRouter r(c);
  std::string why;
  EXPECT_FALSE(map_pcp(options_for(r.port()), why));
  EXPECT_NE(why.find("NAT-PMP, not PCP"), std::string::npos) << why;
}

TEST(NatPmpClient, MapsRenewsAndUnmaps) {
  FakeRouter::Config c;
  c.grant_lifetime = 300;
  c.assign_port = 11206;
  FakeRouter r(c);
  auto o = options_for(r.port());
  std::string why;
  auto m = map_natpmp(o, why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->protocol, "natpmp");
  EXPECT_EQ(m->external_ip, "198.18.0.15");
  EXPECT_EQ(m->external_port, 11206);
  EXPECT_EQ(m->lifetime, std::chrono::seconds(300));
  EXPECT_EQ(m->internal_ip, "127.0.0.1");
  auto reqs = r.natpmp_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].opcode, 0);  // public address first
  EXPECT_EQ(reqs[1].opcode, 2);  // then TCP mapping
  EXPECT_EQ(reqs[1].internal_port, 11204);
  EXPECT_EQ(reqs[1].lifetime, 600u);

  auto again = map_natpmp(o, why, &*m);
  ASSERT_TRUE(again) << why;
  reqs = r.natpmp_requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[3].external_port, 11206);  // renewal suggests the port it holds

  EXPECT_TRUE(unmap(*again, o));
  reqs = r.natpmp_requests();
  EXPECT_EQ(reqs.back().lifetime, 0u);
  EXPECT_EQ(reqs.back().external_port, 0);
  EXPECT_TRUE(r.mappings().empty());
}

TEST(NatPmpClient, RefusalAndSilence) {
  FakeRouter::Config c;
  c.natpmp_error = 2;
  FakeRouter r(c);
  std::string why;
  EXPECT_FALSE(map_natpmp(options_for(r.port()), why));
  EXPECT_NE(why.find("NOT_AUTHORIZED"), std::string::npos) << why;

  FakeRouter::Config quiet;
  quiet.natpmp = false;
  FakeRouter q(quiet);
  auto o = options_for(q.port());
  o.timeout = std::chrono::milliseconds(600);
  EXPECT_FALSE(map_natpmp(o, why));
  EXPECT_NE(why.find("no NAT-PMP answer"), std::string::npos) << why;
}

TEST(NatPmpClient, RouterWithoutExternalAddress) {
  FakeRouter::Config c;
  c.external_ip = 0;
  FakeRouter r(c);
  std::string why;
  EXPECT_FALSE(map_natpmp(options_for(r.port()), why));
  EXPECT_NE(why.find("no external address"), std::string::npos) << why;
}

TEST(UpnpClient, NeverDiscoversTowardLoopbackAndReportsADeadUrl) {
  PortMapOptions o;
  o.gateway = "127.0.0.1";
  std::string why;
  EXPECT_FALSE(map_upnp(o, why));
  EXPECT_NE(why.find("never run toward a loopback gateway"), std::string::npos) << why;
  o.upnp_root_url = "http://127.0.0.1:" + std::to_string(st::p2p::portmap::test::closed_tcp_port()) + "/rootDesc.xml";
  EXPECT_FALSE(map_upnp(o, why));
  EXPECT_NE(why.find("no UPnP IGD answered at"), std::string::npos) << why;
}

TEST(Unmap, UnknownProtocolIsFalse) {
  Mapping m;
  m.protocol = "carrier-pigeon";
  EXPECT_FALSE(unmap(m, PortMapOptions{}));
}

namespace {

using FakeIgd = st::p2p::portmap::test::FakeIgd;

PortMapOptions upnp_options(const FakeIgd& igd) {
  PortMapOptions o;
  o.gateway = "127.0.0.1";
  o.upnp_root_url = igd.root_url();
  o.allow_reserved_external = true;  // the fake's external address is in the lab's 198.18/15
  o.internal_port = 11204;
  o.lifetime = std::chrono::seconds(600);
  return o;
}

}  // namespace

TEST(UpnpClient, MapsRenewsAndUnmapsWithALease) {
  FakeIgd igd({});
  auto o = upnp_options(igd);
  std::string why;
  auto m = map_upnp(o, why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->protocol, "upnp");
  EXPECT_EQ(m->external_ip, "198.18.0.15");
  EXPECT_EQ(m->external_port, 11204);
  EXPECT_EQ(m->internal_ip, "127.0.0.1");
  EXPECT_EQ(m->igd_url, igd.root_url());
  EXPECT_EQ(igd.mappings().at("11204"), "127.0.0.1:11204 600");
  ASSERT_TRUE(map_upnp(o, why, &*m)) << why;
  EXPECT_EQ(igd.mappings().size(), 1u);
  EXPECT_TRUE(unmap(*m, o));
  EXPECT_TRUE(igd.mappings().empty());
  EXPECT_FALSE(unmap(*m, o));  // already gone: the IGD says NoSuchEntryInArray
}

TEST(UpnpClient, ReservedExternalAddressOnlyWhenAllowed) {
  FakeIgd::Config c;
  c.connected = false;  // as miniupnpc sees the lab's IGD
  FakeIgd igd(c);
  auto o = upnp_options(igd);
  o.allow_reserved_external = false;
  std::string why;
  EXPECT_FALSE(map_upnp(o, why));
  EXPECT_NE(why.find("not connected to the internet"), std::string::npos) << why;
  EXPECT_TRUE(igd.mappings().empty());
  o.allow_reserved_external = true;
  auto m = map_upnp(o, why);
  ASSERT_TRUE(m) << why;
  EXPECT_TRUE(unmap(*m, o));
}

TEST(UpnpClient, CgnatExternalAddressMapsAndIsDoubleNat) {
  FakeIgd::Config c;
  c.external_ip = "100.64.7.8";
  FakeIgd igd(c);
  std::string why;
  auto m = map_upnp(upnp_options(igd), why);
  ASSERT_TRUE(m) << why;
  EXPECT_TRUE(is_double_nat_external(m->external_ip));
}

TEST(UpnpClient, PermanentLeaseAndConflictFallbacks) {
  FakeIgd::Config permanent;
  permanent.add_error = 725;  // OnlyPermanentLeasesSupported
  FakeIgd a(permanent);
  std::string why;
  ASSERT_TRUE(map_upnp(upnp_options(a), why)) << why;
  EXPECT_EQ(a.mappings().at("11204"), "127.0.0.1:11204 0");

  FakeIgd::Config conflict;
  conflict.add_error = 718;  // ConflictInMappingEntry: someone holds 11204
  FakeIgd b(conflict);
  auto m = map_upnp(upnp_options(b), why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->external_port, 40404);

  FakeIgd::Config refused;
  refused.add_error = 606;  // Action not authorized
  FakeIgd r(refused);
  EXPECT_FALSE(map_upnp(upnp_options(r), why));
  EXPECT_NE(why.find("the router refused the UPnP mapping: 606"), std::string::npos) << why;
}
