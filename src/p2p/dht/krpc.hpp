#pragma once
// KRPC (BEP 5) messages over bencode, with the BEP 44 item fields and BEP 43's "ro" flag: what a
// stranger's datagram may hold, parsed with hard limits, and the queries/answers we send.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/dht/bencode.hpp"
#include "p2p/dht/pkarr.hpp"

namespace st::p2p::dht {

using NodeId = std::array<std::uint8_t, 20>;

struct Endpoint {
  std::string ip;  // textual IPv4 or IPv6 address
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
  std::string to_string() const;  // ip:port, [v6]:port
};

struct NodeEntry {
  NodeId id{};
  Endpoint endpoint;
};

constexpr std::size_t kMaxDatagram = 1500;
constexpr std::size_t kMaxNodesPerReply = 16;  // the rest of a longer list is ignored

struct KrpcMessage {
  enum class Kind { query, response, error };
  Kind kind = Kind::query;
  std::string tid;
  std::string method;  // queries only
  bool read_only = false;
  std::optional<NodeId> id;  // the sender's node id (a.id / r.id)
  std::optional<NodeId> target;
  std::string token;
  // BEP 44 item (a get answer or a put query). `value_is_string` is false when v is present but not a
  // byte string (another application's item: never a pkarr packet).
  std::optional<std::string> value;
  bool value_is_string = true;
  std::optional<PublicKey> key;
  std::optional<Signature> sig;
  std::optional<std::int64_t> seq;
  bool has_salt = false;
  std::vector<NodeEntry> nodes, nodes6;
  // BEP 32 "want" of a query: which families of nodes the asker wants back ("n4", "n6"). Neither set: the
  // family the query came over.
  bool want_n4 = false, want_n6 = false;
  std::int64_t error_code = 0;
  std::string error_message;
};

// Nothing (and why) for anything that is not a well-formed KRPC message within the limits.
std::optional<KrpcMessage> parse_krpc(std::string_view datagram, std::string& why);

std::string node_id_bytes(const NodeId& id);
std::string encode_compact_nodes(const std::vector<NodeEntry>& nodes, bool v6);

// Queries; `read_only` adds BEP 43's "ro":1.
std::string krpc_query(std::string_view tid, std::string_view method, BDict args, bool read_only);
std::string krpc_ping(std::string_view tid, const NodeId& self, bool read_only);
std::string krpc_find_node(std::string_view tid, const NodeId& self, const NodeId& target, bool read_only);
std::string krpc_get(std::string_view tid, const NodeId& self, const NodeId& target, bool read_only);
std::string krpc_put(std::string_view tid, const NodeId& self, std::string_view token, const SignedPacket& p,
                     bool read_only);
std::string krpc_response(std::string_view tid, BDict r);
std::string krpc_error(std::string_view tid, int code, std::string_view message);

}  // namespace st::p2p::dht
