#include "p2p/dht/krpc.hpp"

#include <gtest/gtest.h>

#include "p2p/dht/routing_table.hpp"

namespace st::p2p::dht {
namespace {

NodeId id_of(std::uint8_t first, std::uint8_t last = 0) {
  NodeId id{};
  id[0] = first;
  id[19] = last;
  return id;
}

TEST(Krpc, QueriesParseBack) {
  auto self = id_of(1), target = id_of(2);
  std::string why;
  auto m = parse_krpc(krpc_get("ab", self, target, true), why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->kind, KrpcMessage::Kind::query);
  EXPECT_EQ(m->method, "get");
  EXPECT_EQ(m->tid, "ab");
  EXPECT_TRUE(m->read_only);
  EXPECT_EQ(m->id, self);
  EXPECT_EQ(m->target, target);
  auto ping = parse_krpc(krpc_ping("x", self, false), why);
  ASSERT_TRUE(ping);
  EXPECT_FALSE(ping->read_only);
}

TEST(Krpc, PutCarriesTheItem) {
  SignedPacket p;
  p.key.fill(7);
  p.sig.fill(9);
  p.timestamp_us = 1234567890123;
  p.dns = "dns";
  std::string why;
  auto m = parse_krpc(krpc_put("t1", id_of(3), "tok", p, true), why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->method, "put");
  EXPECT_EQ(m->token, "tok");
  EXPECT_EQ(m->key, p.key);
  EXPECT_EQ(m->sig, p.sig);
  EXPECT_EQ(m->seq, 1234567890123);
  EXPECT_EQ(m->value, "dns");
}

TEST(Krpc, ResponsesCarryCompactNodes) {
  std::vector<NodeEntry> nodes{{id_of(4), {"198.18.0.21", 6881}}, {id_of(5), {"10.0.0.1", 65535}}};
  auto r = krpc_response("zz", BDict{{"id", node_id_bytes(id_of(6))}, {"nodes", encode_compact_nodes(nodes, false)},
                                     {"token", "abc"}});
  std::string why;
  auto m = parse_krpc(r, why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->kind, KrpcMessage::Kind::response);
  ASSERT_EQ(m->nodes.size(), 2u);
  EXPECT_EQ(m->nodes[0].endpoint, (Endpoint{"198.18.0.21", 6881}));
  EXPECT_EQ(m->nodes[1].id, id_of(5));
  EXPECT_EQ(m->token, "abc");
  std::vector<NodeEntry> v6{{id_of(7), {"2001:db8::5", 6881}}};
  auto r6 = krpc_response("zz", BDict{{"id", node_id_bytes(id_of(6))}, {"nodes6", encode_compact_nodes(v6, true)}});
  auto m6 = parse_krpc(r6, why);
  ASSERT_TRUE(m6 && m6->nodes6.size() == 1);
  EXPECT_EQ(m6->nodes6[0].endpoint.to_string(), "[2001:db8::5]:6881");
}

TEST(Krpc, NodeListsAreCapped) {
  std::vector<NodeEntry> many;
  for (int i = 0; i < 40; ++i) many.push_back({id_of(static_cast<std::uint8_t>(i)), {"198.18.0.1", 1000}});
  auto r = krpc_response("zz", BDict{{"id", node_id_bytes(id_of(6))}, {"nodes", encode_compact_nodes(many, false)}});
  std::string why;
  auto m = parse_krpc(r, why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->nodes.size(), kMaxNodesPerReply);
}

TEST(Krpc, ErrorsParse) {
  std::string why;
  auto m = parse_krpc(krpc_error("q", 302, "sequence number less than current"), why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, KrpcMessage::Kind::error);
  EXPECT_EQ(m->error_code, 302);
}

TEST(Krpc, MalformedMessagesAreRefused) {
  std::string why;
  for (std::string_view bad : {"", "le", "de", "d1:t2:aa1:y1:qe", "d1:t0:1:y1:r1:rd2:id20:aaaaaaaaaaaaaaaaaaaaee",
                               "d1:t2:aa1:y1:r1:rd2:id3:abcee", "d1:t2:aa1:y1:e1:eli1eee", "d1:t2:aa1:y1:z1:rdee",
                               "d1:t2:aa1:y1:r1:rd2:id20:aaaaaaaaaaaaaaaaaaaa1:k3:abcee"}) {
    EXPECT_FALSE(parse_krpc(bad, why)) << bad;
  }
  EXPECT_FALSE(parse_krpc(std::string(1501, 'x'), why));
  EXPECT_EQ(why, "datagram too large");
  // A v that is not a byte string is another application's item, noted as such.
  auto m = parse_krpc("d1:t2:aa1:y1:r1:rd2:id20:aaaaaaaaaaaaaaaaaaaa1:vli1eeee", why);
  ASSERT_TRUE(m) << why;
  EXPECT_FALSE(m->value_is_string);
}

TEST(RoutingTable, KeepsTheClosestAndBoundsBuckets) {
  NodeId self{};
  RoutingTable t(self, 2);
  // Three nodes in the farthest bucket (first bit set): only two fit.
  EXPECT_TRUE(t.add({id_of(0x80, 1), {"198.18.0.1", 1}}));
  EXPECT_TRUE(t.add({id_of(0x81, 1), {"198.18.0.2", 1}}));
  EXPECT_FALSE(t.add({id_of(0x82, 1), {"198.18.0.3", 1}}));
  EXPECT_TRUE(t.add({id_of(0x01, 1), {"198.18.0.4", 1}}));
  EXPECT_FALSE(t.add({self, {"198.18.0.5", 1}}));
  EXPECT_EQ(t.size(), 3u);
  auto c = t.closest(id_of(0x00), 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].id, id_of(0x01, 1));
  EXPECT_EQ(c[1].id, id_of(0x80, 1));
  // A node that stops answering is replaced.
  t.failed({"198.18.0.1", 1});
  EXPECT_TRUE(t.add({id_of(0x82, 1), {"198.18.0.3", 1}}));
  EXPECT_EQ(t.size(), 3u);
  t.failed({"198.18.0.4", 1});
  t.failed({"198.18.0.4", 1});
  EXPECT_EQ(t.size(), 2u);
}

TEST(RoutingTable, TheTotalIsBounded) {
  NodeId self{};
  RoutingTable t(self);
  for (int i = 0; i < 5000; ++i) {
    NodeId id{};
    for (std::size_t b = 0; b < id.size(); ++b) id[b] = static_cast<std::uint8_t>((i * 2654435761u) >> (b % 4 * 8));
    id[0] = static_cast<std::uint8_t>(i);
    t.add({id, {"198.18.1." + std::to_string(i % 250), static_cast<std::uint16_t>(1000 + i)}});
  }
  EXPECT_LE(t.size(), 160u * 8u);
}

TEST(RoutingTable, DistanceIsXor) {
  auto target = id_of(0x10);
  EXPECT_TRUE(closer(id_of(0x11), id_of(0x20), target));
  EXPECT_FALSE(closer(id_of(0x20), id_of(0x11), target));
  EXPECT_FALSE(closer(target, target, target));
}

}  // namespace
}  // namespace st::p2p::dht
