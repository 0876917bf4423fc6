#include "p2p/dht/krpc.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace st::p2p::dht {

namespace {

template <std::size_t N>
bool fixed_bytes(const std::string* s, std::array<std::uint8_t, N>& out) {
  if (!s || s->size() != N) return false;
  std::memcpy(out.data(), s->data(), N);
  return true;
}

void parse_nodes(const std::string* compact, bool v6, std::vector<NodeEntry>& out) {
  if (!compact) return;
  const std::size_t addr = v6 ? 16 : 4, each = 20 + addr + 2;
  for (std::size_t at = 0; at + each <= compact->size() && out.size() < kMaxNodesPerReply; at += each) {
    NodeEntry n;
    std::memcpy(n.id.data(), compact->data() + at, 20);
    char text[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, compact->data() + at + 20, text, sizeof text)) continue;
    n.endpoint.ip = text;
    auto* p = reinterpret_cast<const std::uint8_t*>(compact->data() + at + 20 + addr);
    n.endpoint.port = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
    if (n.endpoint.port == 0) continue;
    out.push_back(std::move(n));
  }
}

}  // namespace

std::string Endpoint::to_string() const {
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
}

std::optional<KrpcMessage> parse_krpc(std::string_view datagram, std::string& why) {
  if (datagram.size() > kMaxDatagram) {
    why = "datagram too large";
    return std::nullopt;
  }
  DecodeLimits limits;
  limits.max_bytes = kMaxDatagram;
  limits.max_items = 512;
  auto root = bdecode(datagram, why, limits);
  if (!root) return std::nullopt;
  auto fail = [&](const char* reason) {
    why = reason;
    return std::nullopt;
  };
  if (!root->dict()) return fail("not a dictionary");
  KrpcMessage m;
  const auto* tid = root->find_string("t");
  const auto* y = root->find_string("y");
  if (!tid || tid->empty() || tid->size() > 16) return fail("missing or bad transaction id");
  if (!y || y->size() != 1) return fail("missing message type");
  m.tid = *tid;
  if (const auto* ro = root->find_integer("ro")) m.read_only = *ro == 1;
  const BValue* body = nullptr;
  switch ((*y)[0]) {
    case 'q': {
      m.kind = KrpcMessage::Kind::query;
      const auto* q = root->find_string("q");
      if (!q || q->empty() || q->size() > 32) return fail("missing query method");
      m.method = *q;
      body = root->find("a");
      break;
    }
    case 'r':
      m.kind = KrpcMessage::Kind::response;
      body = root->find("r");
      break;
    case 'e': {
      m.kind = KrpcMessage::Kind::error;
      const auto* e = root->find("e");
      if (!e || !e->list() || e->list()->size() < 2 || !(*e->list())[0].integer() || !(*e->list())[1].string())
        return fail("malformed error");
      m.error_code = *(*e->list())[0].integer();
      m.error_message = e->list()->at(1).string()->substr(0, 200);
      return m;
    }
    default:
      return fail("unknown message type");
  }
  if (!body || !body->dict()) return fail("missing arguments");
  NodeId id{};
  if (!fixed_bytes(body->find_string("id"), id)) return fail("missing or bad node id");
  m.id = id;
  NodeId target{};
  if (const auto* t = body->find_string("target")) {
    if (!fixed_bytes(t, target)) return fail("bad target");
    m.target = target;
  }
  if (const auto* token = body->find_string("token")) {
    if (token->size() > 64) return fail("token too long");
    m.token = *token;
  }
  if (const auto* v = body->find("v")) {
    if (const auto* s = v->string()) m.value = *s;
    else m.value_is_string = false;
  }
  if (const auto* k = body->find_string("k")) {
    PublicKey key{};
    if (!fixed_bytes(k, key)) return fail("bad item key");
    m.key = key;
  }
  if (const auto* sig = body->find_string("sig")) {
    Signature s{};
    if (!fixed_bytes(sig, s)) return fail("bad item signature");
    m.sig = s;
  }
  if (const auto* seq = body->find_integer("seq")) m.seq = *seq;
  if (const auto* salt = body->find_string("salt")) m.has_salt = !salt->empty();
  if (const auto* want = body->find("want"); want && want->list() && m.kind == KrpcMessage::Kind::query) {
    constexpr std::size_t kMaxWant = 4;  // two families; a longer list is someone else's extension
    for (std::size_t i = 0; i < want->list()->size() && i < kMaxWant; ++i) {
      const auto* w = (*want->list())[i].string();
      if (w && *w == "n4") m.want_n4 = true;
      if (w && *w == "n6") m.want_n6 = true;
    }
  }
  parse_nodes(body->find_string("nodes"), false, m.nodes);
  parse_nodes(body->find_string("nodes6"), true, m.nodes6);
  return m;
}

std::string node_id_bytes(const NodeId& id) { return std::string(reinterpret_cast<const char*>(id.data()), id.size()); }

std::string encode_compact_nodes(const std::vector<NodeEntry>& nodes, bool v6) {
  std::string out;
  for (const auto& n : nodes) {
    unsigned char addr[16] = {};
    if (inet_pton(v6 ? AF_INET6 : AF_INET, n.endpoint.ip.c_str(), addr) != 1) continue;
    out += node_id_bytes(n.id);
    out.append(reinterpret_cast<const char*>(addr), v6 ? 16 : 4);
    out += static_cast<char>(n.endpoint.port >> 8);
    out += static_cast<char>(n.endpoint.port & 0xff);
  }
  return out;
}

std::string krpc_query(std::string_view tid, std::string_view method, BDict args, bool read_only) {
  BDict msg{{"a", BValue(std::move(args))}, {"q", BValue(std::string(method))}, {"t", BValue(std::string(tid))},
            {"y", BValue("q")}};
  if (read_only) msg.emplace_back("ro", BValue(1));
  return bencode(BValue(std::move(msg)));
}

std::string krpc_ping(std::string_view tid, const NodeId& self, bool read_only) {
  return krpc_query(tid, "ping", BDict{{"id", node_id_bytes(self)}}, read_only);
}

std::string krpc_find_node(std::string_view tid, const NodeId& self, const NodeId& target, bool read_only) {
  return krpc_query(tid, "find_node", BDict{{"id", node_id_bytes(self)}, {"target", node_id_bytes(target)}}, read_only);
}

std::string krpc_get(std::string_view tid, const NodeId& self, const NodeId& target, bool read_only) {
  return krpc_query(tid, "get", BDict{{"id", node_id_bytes(self)}, {"target", node_id_bytes(target)}}, read_only);
}

std::string krpc_put(std::string_view tid, const NodeId& self, std::string_view token, const SignedPacket& p,
                     bool read_only) {
  BDict args{{"id", node_id_bytes(self)},
             {"k", std::string(reinterpret_cast<const char*>(p.key.data()), p.key.size())},
             {"seq", BValue(static_cast<std::int64_t>(p.timestamp_us))},
             {"sig", std::string(reinterpret_cast<const char*>(p.sig.data()), p.sig.size())},
             {"token", std::string(token)},
             {"v", p.dns}};
  return krpc_query(tid, "put", std::move(args), read_only);
}

std::string krpc_response(std::string_view tid, BDict r) {
  return bencode(BValue(BDict{{"r", BValue(std::move(r))}, {"t", BValue(std::string(tid))}, {"y", BValue("r")}}));
}

std::string krpc_error(std::string_view tid, int code, std::string_view message) {
  return bencode(BValue(BDict{{"e", BValue(BList{BValue(code), BValue(std::string(message))})},
                              {"t", BValue(std::string(tid))},
                              {"y", BValue("e")}}));
}

}  // namespace st::p2p::dht
