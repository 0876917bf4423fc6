// IPv6 beside IPv4: one listener for both families, peers named the same way whichever family they came
// over, dial-backs over IPv6. The IPv6 cases skip on a host without IPv6 (some CI machines).
#include <gtest/gtest.h>

#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <system_error>
#include <set>

#include "crypto/identity.hpp"
#include "lib/sodium/sodium.hpp"
#include "p2p/transport/dual_stack.hpp"
#include "p2p/transport/transport.hpp"
#include "util/host_port.hpp"

using namespace st;
using namespace st::p2p;
using namespace std::chrono_literals;

namespace {

crypto::Identity make_id(std::uint8_t b) {
  crypto::Ed25519Seed s{};
  s.fill(b);
  return crypto::Identity(s);
}

struct Peer {
  crypto::Identity id;
  std::mutex mu;
  std::set<std::string> ips;  // where requests came from, as the transport names them
  std::unique_ptr<Transport> t;
  Peer(std::uint8_t b, const std::string& bind) : id(make_id(b)) {
    lib::sodium::init();
    TlsTransportOptions o;
    o.bind_host = bind;
    o.bind_port = 0;
    t = make_tls_transport(
        id, o,
        [this](const std::string&, const std::string& ip, const std::string& payload) {
          std::lock_guard l(mu);
          ips.insert(ip);
          return Reply{ReplyKind::json, payload};
        },
        [](const std::string&) { return true; });
  }
  PeerAddress at(const std::string& host) const { return {id.node_id(), host, t->port()}; }
};

TEST(DualStack, AnyAddressListenerTakesIpv4AndNamesItAsIpv4) {
  Peer server(1, "0.0.0.0"), client(2, "127.0.0.1");
  EXPECT_EQ(client.t->request(server.at("127.0.0.1"), "v4", 5s).payload, "v4");
  std::lock_guard l(server.mu);
  // Not ::ffff:127.0.0.1: an observed address is compared with the ones a node proves and publishes.
  EXPECT_EQ(server.ips, std::set<std::string>{"127.0.0.1"});
}

TEST(DualStack, AnyAddressListenerTakesIpv6) {
  if (!ipv6_available()) GTEST_SKIP() << "this host has no IPv6";
  Peer server(3, "0.0.0.0"), client(4, "::");
  EXPECT_EQ(client.t->request(server.at("::1"), "v6", 5s).payload, "v6");
  {
    std::lock_guard l(server.mu);
    EXPECT_EQ(server.ips, std::set<std::string>{"::1"});
  }
  // And IPv4 on the same port, from a client that listens on both families itself.
  Peer client4(5, "::");
  EXPECT_EQ(client4.t->request(server.at("127.0.0.1"), "v4", 5s).payload, "v4");
  std::lock_guard l(server.mu);
  EXPECT_EQ(server.ips, (std::set<std::string>{"127.0.0.1", "::1"}));
}

TEST(DualStack, DialBackProbeOverIpv6) {
  if (!ipv6_available()) GTEST_SKIP() << "this host has no IPv6";
  Peer server(6, "::"), prober(7, "127.0.0.1");
  EXPECT_TRUE(prober.t->probe(server.at("::1"), 5s));
  auto wrong = server.at("::1");
  wrong.node_id = prober.id.node_id();  // the key is pinned: another node's address does not prove ours
  EXPECT_FALSE(prober.t->probe(wrong, 5s));
}

TEST(DualStack, ASpecificBindAddressIsKept) {
  if (!ipv6_available()) GTEST_SKIP() << "this host has no IPv6";
  Peer server(8, "127.0.0.1"), client(9, "::1");
  EXPECT_THROW(client.t->request(server.at("::1"), "x", 3s), TransportError);
  EXPECT_EQ(client.t->request(server.at("127.0.0.1"), "y", 5s).payload, "y");
}

TEST(DualStack, PeerIpText) {
  // What the transport makes of an accepted socket's address (Asio's text of it).
  EXPECT_EQ(util::canonical_ip("::ffff:198.18.0.11"), "198.18.0.11");
  EXPECT_EQ(util::canonical_ip("2001:DB8::0:11"), "2001:db8::11");
  EXPECT_EQ(util::canonical_ip("10.0.1.2"), "10.0.1.2");
}

TEST(DualStack, ExplicitAddressesAndRefusals) {
  auto l = listen_dual_stack("127.0.0.1", 0);
  EXPECT_GE(l.fd, 0);
  EXPECT_FALSE(l.v6);
  ::close(l.fd);
  EXPECT_THROW(listen_dual_stack("localhost", 0), std::invalid_argument);
  EXPECT_THROW(listen_dual_stack("192.0.2.1", 0), std::system_error);  // not ours: cannot be bound
}

TEST(PeerAddressV6, BracketsRequired) {
  auto id = std::string(64, 'a');
  auto a = parse_peer_address(id + "@[2001:DB8::0:7]:11204");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "2001:db8::7");
  EXPECT_EQ(format_peer_address(*a), id + "@[2001:db8::7]:11204");
  auto mapped = parse_peer_address(id + "@[::ffff:198.18.0.11]:11204");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->host, "198.18.0.11");
  EXPECT_FALSE(parse_peer_address(id + "@2001:db8::7:11204")) << "ambiguous without brackets";
  EXPECT_FALSE(parse_peer_address(id + "@[2001:db8::7]"));
  EXPECT_FALSE(parse_peer_address(id + "@[fe80::1%eth0]:11204"));
  EXPECT_FALSE(parse_peer_address(id + "@[not-v6]:11204"));
}

}  // namespace
