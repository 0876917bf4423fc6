// A tiny swarm on 127.0.0.1: in-process DhtClients answering queries (read_only=false), one read-only
// client, and a hostile node of the test's own that serves forged items and unsolicited answers.
#include "p2p/dht/dht_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "crypto/identity.hpp"
#include "p2p/dht/krpc.hpp"

namespace st::p2p::dht {
namespace {

using namespace std::chrono_literals;

crypto::Identity identity(std::uint8_t fill) {
  crypto::Ed25519Seed seed{};
  seed.fill(fill);
  return crypto::Identity(seed);
}

DhtOptions node_options(std::vector<std::string> bootstrap, bool read_only) {
  DhtOptions o;
  o.bind_host = "127.0.0.1";
  o.bootstrap = std::move(bootstrap);
  o.read_only = read_only;
  o.query_timeout = 500ms;
  o.lookup_timeout = 10s;  // a safety net only
  return o;
}

std::string local(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

struct Swarm {
  std::vector<std::unique_ptr<DhtClient>> nodes;
  explicit Swarm(std::size_t n) {
    nodes.push_back(std::make_unique<DhtClient>(node_options({}, false)));
    for (std::size_t i = 1; i < n; ++i)
      nodes.push_back(std::make_unique<DhtClient>(node_options({local(nodes[0]->port())}, false)));
  }
  std::string bootstrap() const { return local(nodes[0]->port()); }
};

TEST(DhtClient, PutThenGetFromAnotherClientReturnsTheNewestSeq) {
  Swarm swarm(5);
  auto id = identity(21);
  NodeRecord rec{{"198.18.0.11:11204"}, {}, {}};
  auto first = sign_packet(id, encode_node_record(sign_packet(id, "", 0).key, rec), 1000);

  DhtClient publisher(node_options({swarm.bootstrap()}, true));
  auto put = publisher.put(first);
  EXPECT_TRUE(put.error.empty()) << put.error;
  EXPECT_GE(put.stored, 3u);

  // A newer record from elsewhere (the same key) replaces it.
  rec.addresses.push_back("198.18.0.12:11204");
  auto second = sign_packet(id, encode_node_record(first.key, rec), 2000);
  auto put2 = swarm.nodes[3]->put(second);
  EXPECT_GE(put2.stored, 3u) << put2.error;
  // An older one is refused by the nodes that hold the newer one.
  auto stale = publisher.put(first);
  EXPECT_EQ(stale.stored, 0u);
  EXPECT_FALSE(stale.error.empty());

  DhtClient reader(node_options({swarm.bootstrap()}, true));
  auto got = reader.get(first.key);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->timestamp_us, 2000u);
  EXPECT_EQ(check_packet(*got), "");
  std::string why;
  auto decoded = decode_node_record(got->key, got->dns, why);
  ASSERT_TRUE(decoded) << why;
  EXPECT_EQ(*decoded, rec);
  auto s = reader.stats();
  EXPECT_GT(s.queries_sent, 0u);
  EXPECT_GT(s.responses, 0u);
  EXPECT_GT(s.routing_table_size, 0u);
  EXPECT_EQ(s.items_rejected, 0u);

  // Nobody published under this key.
  EXPECT_FALSE(reader.get(sign_packet(identity(22), "", 0).key));
}

TEST(DhtClient, ReadOnlyClientsDoNotAnswerAndAreNotRouted) {
  Swarm swarm(3);
  DhtClient ro(node_options({swarm.bootstrap()}, true));
  // A read-only client's first lookup fills its table, but no swarm node lists it.
  ASSERT_FALSE(ro.get(sign_packet(identity(30), "", 0).key));
  EXPECT_GT(ro.stats().routing_table_size, 0u);
  DhtClient probe(node_options({local(ro.port())}, true));
  EXPECT_FALSE(probe.get(sign_packet(identity(31), "", 0).key));
  EXPECT_EQ(probe.stats().responses, 0u);  // the read-only client never answered
}

// A node that answers every query with a forged item (a higher seq, a bad signature) for any target, and
// first sends an answer under a transaction id nobody used.
class HostileNode {
 public:
  HostileNode() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~HostileNode() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  PublicKey victim{};
  std::atomic<int> answered{0};

 private:
  void run() {
    NodeId self{};
    self.fill(0x42);
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[1600];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      auto n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      std::string why;
      auto q = parse_krpc(std::string_view(buf, static_cast<std::size_t>(n)), why);
      if (!q || q->kind != KrpcMessage::Kind::query) continue;
      auto reply = [&](const std::string& m) {
        ::sendto(fd_, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      };
      std::string wrong_tid = q->tid;
      wrong_tid[0] = static_cast<char>(wrong_tid[0] ^ 0x5a);
      reply(krpc_response(wrong_tid, BDict{{"id", node_id_bytes(self)}}));
      reply("this is not bencode");
      BDict r{{"id", node_id_bytes(self)}, {"token", "t"}};
      if (q->method == "get") {
        r.emplace_back("k", std::string(reinterpret_cast<const char*>(victim.data()), 32));
        r.emplace_back("seq", BValue(std::int64_t{999999999}));
        r.emplace_back("sig", std::string(64, 'x'));
        r.emplace_back("v", "forged");
      }
      reply(krpc_response(q->tid, std::move(r)));
      ++answered;
    }
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

TEST(DhtClient, ForgedItemsAndStrayAnswersAreRejectedAndCounted) {
  Swarm swarm(4);
  auto id = identity(40);
  auto genuine = sign_packet(id, encode_node_record(sign_packet(id, "", 0).key, {{"198.18.0.40:1"}, {}, {}}), 500);
  ASSERT_GE(swarm.nodes[1]->put(genuine).stored, 1u);

  HostileNode hostile;
  hostile.victim = genuine.key;
  DhtClient reader(node_options({local(hostile.port()), swarm.bootstrap()}, true));
  auto got = reader.get(genuine.key);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->timestamp_us, 500u);  // not the forged 999999999
  EXPECT_EQ(got->dns, genuine.dns);
  EXPECT_GT(hostile.answered.load(), 0);
  auto s = reader.stats();
  EXPECT_GE(s.items_rejected, 1u);
  EXPECT_GE(s.messages_dropped, 2u);  // the stray answer and the garbage
}

TEST(DhtClient, PutWithoutAnyNodeSaysSo) {
  DhtOptions o = node_options({}, true);
  DhtClient lonely(o);
  auto r = lonely.put(sign_packet(identity(50), "x", 1));
  EXPECT_EQ(r.stored, 0u);
  EXPECT_EQ(r.error, "no DHT node answered");
  EXPECT_FALSE(lonely.get(sign_packet(identity(50), "x", 1).key));
}

TEST(DhtClient, RefusesToPutAnInvalidPacketAndStopsCleanly) {
  DhtClient c(node_options({}, true));
  auto p = sign_packet(identity(51), "x", 1);
  p.sig[0] ^= 1;
  EXPECT_EQ(c.put(p).error, "bad signature");
  c.stop();
  c.stop();
  EXPECT_EQ(c.put(sign_packet(identity(51), "x", 1)).error, "the DHT client is stopped");
  EXPECT_FALSE(c.get(p.key));
}

TEST(DhtClient, BindFailureThrows) {
  DhtOptions o;
  o.bind_host = "203.0.113.1";  // not an address of this machine: bind fails, nothing is sent
  EXPECT_THROW(DhtClient{o}, std::runtime_error);
}

}  // namespace
}  // namespace st::p2p::dht
