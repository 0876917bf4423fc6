// The background mapper: falls through PCP -> NAT-PMP -> UPnP, renews at half the granted lifetime,
// removes the mapping on stop, says in words why nothing worked, and flags double NAT.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

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
  o.timeout = std::chrono::milliseconds(1500);
  // UPnP must never multicast from a unit test: point it at a loopback URL where nothing listens.
  o.upnp_root_url = "http://127.0.0.1:" + std::to_string(st::p2p::portmap::test::closed_tcp_port()) + "/rootDesc.xml";
  return o;
}

// Waits (safety net only) until `pred` holds on the mapper's status.
template <class Pred>
bool wait_status(const PortMapper& m, Pred pred, std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred(m.status())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

struct Changes {
  std::mutex mu;
  std::vector<std::optional<Mapping>> seen;
  void operator()(const std::optional<Mapping>& m) {
    std::lock_guard l(mu);
    seen.push_back(m);
  }
  std::vector<std::optional<Mapping>> get() {
    std::lock_guard l(mu);
    return seen;
  }
};

}  // namespace

TEST(PortMapper, MapsWithPcpRenewsAtHalfLifeAndRemovesOnStop) {
  FakeRouter::Config c;
  c.grant_lifetime = 2;  // renewals every second
  FakeRouter r(c);
  Changes changes;
  PortMapper m(options_for(r.port()));
  m.on_change([&](const std::optional<Mapping>& x) { changes(x); });
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return s.renewals >= 2; })) << m.status().last_error;
  auto s = m.status();
  EXPECT_TRUE(s.active);
  EXPECT_EQ(s.protocol, "pcp");
  EXPECT_EQ(s.external, "198.18.0.15:11204");
  EXPECT_FALSE(s.double_nat);
  EXPECT_EQ(s.last_error, "");
  ASSERT_TRUE(m.mapping());
  auto reqs = r.pcp_requests();
  ASSERT_GE(reqs.size(), 3u);
  for (auto& q : reqs) EXPECT_EQ(q.nonce, reqs[0].nonce);  // renewals refresh the same mapping
  EXPECT_EQ(r.mappings().size(), 1u);

  m.stop();
  EXPECT_TRUE(r.mappings().empty());
  EXPECT_EQ(r.pcp_requests().back().lifetime, 0u);
  EXPECT_FALSE(m.status().active);
  auto seen = changes.get();
  ASSERT_EQ(seen.size(), 2u);  // mapped once (renewals at the same address are not changes), then gone
  ASSERT_TRUE(seen[0]);
  EXPECT_EQ(seen[0]->external_port, 11204);
  EXPECT_FALSE(seen[1]);
}

TEST(PortMapper, FallsThroughToNatPmpWhenTheRouterSpeaksNoPcp) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::natpmp_only;
  c.assign_port = 40001;
  FakeRouter r(c);
  PortMapper m(options_for(r.port()));
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return s.active; })) << m.status().last_error;
  EXPECT_EQ(m.status().protocol, "natpmp");
  EXPECT_EQ(m.status().external, "198.18.0.15:40001");
  EXPECT_EQ(r.pcp_requests().size(), 1u);
  m.stop();
  EXPECT_TRUE(r.mappings().empty());
}

TEST(PortMapper, SaysWhyWhenEveryProtocolIsRefused) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::refuse;
  c.pcp_error = 2;
  c.natpmp_error = 2;
  FakeRouter r(c);
  PortMapper m(options_for(r.port()));
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return !s.last_error.empty(); }));
  auto s = m.status();
  EXPECT_FALSE(s.active);
  EXPECT_NE(s.last_error.find("the router did not map the port"), std::string::npos) << s.last_error;
  EXPECT_NE(s.last_error.find("PCP: the router refused the PCP mapping: NOT_AUTHORIZED"), std::string::npos)
      << s.last_error;
  EXPECT_NE(s.last_error.find("NAT-PMP: the router refused"), std::string::npos) << s.last_error;
  EXPECT_NE(s.last_error.find("UPnP: no UPnP IGD answered"), std::string::npos) << s.last_error;
  m.stop();  // wakes the backoff wait at once
}

TEST(PortMapper, NoRouterAtAll) {
  auto o = options_for(st::p2p::portmap::test::closed_udp_port());
  PortMapper m(o);
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return !s.last_error.empty(); }));
  EXPECT_EQ(m.status().last_error.rfind("no router answered PCP, NAT-PMP or UPnP", 0), 0u) << m.status().last_error;
  EXPECT_FALSE(m.mapping());
  m.stop();
}

TEST(PortMapper, FlagsDoubleNat) {
  FakeRouter::Config c;
  c.external_ip = 0x64400102;  // 100.64.1.2: carrier-grade NAT in front of the router
  FakeRouter r(c);
  auto o = options_for(r.port());
  o.protocols = {"natpmp"};
  PortMapper m(o);
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return s.active; })) << m.status().last_error;
  auto s = m.status();
  EXPECT_TRUE(s.double_nat);
  EXPECT_NE(s.last_error.find("double NAT"), std::string::npos) << s.last_error;
  m.stop();
}

TEST(PortMapper, UnknownProtocolAndStopBeforeStart) {
  auto o = options_for(1);
  o.protocols = {"carrier-pigeon"};
  PortMapper m(o);
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return !s.last_error.empty(); }));
  EXPECT_NE(m.status().last_error.find("unknown port mapping protocol"), std::string::npos) << m.status().last_error;
  m.stop();
  PortMapper idle(options_for(1));
  idle.stop();  // never started: nothing to join
  EXPECT_FALSE(idle.status().active);
}

TEST(PortMapper, FallsThroughPcpAndNatPmpToUpnp) {
  FakeRouter::Config c;
  c.pcp = FakeRouter::Pcp::refuse;
  c.pcp_error = 4;  // UNSUPP_OPCODE
  c.natpmp_error = 3;  // NETWORK_FAILURE
  FakeRouter r(c);
  st::p2p::portmap::test::FakeIgd igd({});
  auto o = options_for(r.port());
  o.upnp_root_url = igd.root_url();
  o.allow_reserved_external = true;
  Changes changes;
  PortMapper m(o);
  m.on_change([&](const std::optional<Mapping>& x) { changes(x); });
  m.start();
  ASSERT_TRUE(wait_status(m, [](const PortMapStatus& s) { return s.active; })) << m.status().last_error;
  EXPECT_EQ(m.status().protocol, "upnp");
  EXPECT_EQ(m.status().external, "198.18.0.15:11204");
  EXPECT_EQ(r.pcp_requests().size(), 1u);
  EXPECT_FALSE(r.natpmp_requests().empty());
  EXPECT_EQ(igd.mappings().size(), 1u);
  m.stop();
  EXPECT_TRUE(igd.mappings().empty());
  auto seen = changes.get();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]->protocol, "upnp");
  EXPECT_FALSE(seen[1]);
}
