// BEP 32 "want" in DHT queries: parsed with a bound, and honoured by a client that holds one family's
// routing table (an IPv4 client asked only for IPv6 nodes lists none).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "crypto/identity.hpp"
#include "p2p/dht/dht_client.hpp"
#include "p2p/dht/krpc.hpp"

namespace st::p2p::dht {
namespace {

using namespace std::chrono_literals;

NodeId id_of(std::uint8_t b) {
  NodeId n{};
  n.fill(b);
  return n;
}

std::string find_node(const BList& want) {
  BDict a{{"id", node_id_bytes(id_of(9))}, {"target", node_id_bytes(id_of(3))}};
  if (!want.empty()) a.emplace_back("want", BValue(want));
  return krpc_query("tw", "find_node", std::move(a), false);
}

TEST(DhtWant, Parsed) {
  std::string why;
  auto none = parse_krpc(find_node({}), why);
  ASSERT_TRUE(none) << why;
  EXPECT_FALSE(none->want_n4 || none->want_n6);
  auto six = parse_krpc(find_node({"n6"}), why);
  ASSERT_TRUE(six) << why;
  EXPECT_TRUE(six->want_n6);
  EXPECT_FALSE(six->want_n4);
  auto both = parse_krpc(find_node({"n4", BValue(7), "n6"}), why);  // a non-string entry is skipped
  ASSERT_TRUE(both) << why;
  EXPECT_TRUE(both->want_n4 && both->want_n6);
  auto late = parse_krpc(find_node({"x", "y", "z", "w", "n6"}), why);  // only the first 4 entries are read
  ASSERT_TRUE(late) << why;
  EXPECT_FALSE(late->want_n6);
}

// One find_node over UDP to 127.0.0.1:port; the answer, or nothing after a safety-net timeout.
std::optional<KrpcMessage> ask(std::uint16_t port, const std::string& query) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  pollfd p{fd, POLLIN, 0};
  std::optional<KrpcMessage> out;
  if (::poll(&p, 1, 5000) == 1) {  // safety net
    char buf[1500];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    std::string why;
    if (n > 0) out = parse_krpc(std::string_view(buf, static_cast<std::size_t>(n)), why);
  }
  ::close(fd);
  return out;
}

TEST(DhtWant, AnIpv4ClientAnswersWhatWasWanted) {
  DhtOptions o;
  o.bind_host = "127.0.0.1";
  o.query_timeout = 500ms;
  o.lookup_timeout = 10s;  // a safety net only
  o.read_only = false;       // both answer and are routed (BEP 43 read-only nodes are not)
  DhtClient a(o);
  o.bootstrap = {"127.0.0.1:" + std::to_string(a.port())};
  DhtClient b(o);
  crypto::Ed25519Seed seed{};
  seed.fill(5);
  (void)b.get(sign_packet(crypto::Identity(seed), "", 0).key);  // b queries a: a now knows b
  ASSERT_GT(a.stats().routing_table_size, 0u);
  for (const BList& want : {BList{}, BList{"n4"}, BList{"n4", "n6"}}) {
    auto r = ask(a.port(), find_node(want));
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->nodes.empty()) << want.size();
    EXPECT_TRUE(r->nodes6.empty());
  }
  auto only6 = ask(a.port(), find_node({"n6"}));
  ASSERT_TRUE(only6);
  EXPECT_EQ(only6->kind, KrpcMessage::Kind::response);
  EXPECT_TRUE(only6->nodes.empty()) << "an IPv6-only asker gets no IPv4 nodes it cannot use";
}

}  // namespace
}  // namespace st::p2p::dht
