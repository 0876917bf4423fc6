#include "p2p/dht/pkarr.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

#include "crypto/identity.hpp"
#include "p2p/dht/bencode.hpp"
#include "util/host_port.hpp"

namespace st::p2p::dht {

namespace {

constexpr std::string_view kLabel = "_soundtime";
constexpr std::uint16_t kTypeTxt = 16;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint32_t kTtl = 300;
constexpr std::size_t kMaxDnsPacket = 1000;  // what we parse; what we publish is bounded by BEP 44 (995)
constexpr std::size_t kMaxRecords = 64;
constexpr std::size_t kMaxValues = 16;        // per kind (addr, rdv, turn)

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A bounded reader over an untrusted DNS packet (RFC 1035), with name compression.
class DnsReader {
 public:
  explicit DnsReader(std::string_view p) : p_(p) {}
  bool u16(std::uint16_t& v) {
    if (pos_ + 2 > p_.size()) return false;
    v = static_cast<std::uint16_t>((static_cast<std::uint8_t>(p_[pos_]) << 8) | static_cast<std::uint8_t>(p_[pos_ + 1]));
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    std::uint16_t hi = 0, lo = 0;
    if (!u16(hi) || !u16(lo)) return false;
    v = (std::uint32_t{hi} << 16) | lo;
    return true;
  }
  bool bytes(std::size_t n, std::string_view& out) {
    if (n > p_.size() - pos_) return false;
    out = p_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // Reads a (possibly compressed) name as dotted lowercase text. Pointers must point backwards and are
  // followed at most 16 times, so a loop cannot spin.
  bool name(std::string& out) {
    out.clear();
    std::size_t at = pos_;
    bool jumped = false;
    int jumps = 0;
    while (true) {
      if (at >= p_.size()) return false;
      auto len = static_cast<std::uint8_t>(p_[at]);
      if ((len & 0xc0) == 0xc0) {
        if (at + 1 >= p_.size() || ++jumps > 16) return false;
        std::size_t target = (static_cast<std::size_t>(len & 0x3f) << 8) | static_cast<std::uint8_t>(p_[at + 1]);
        if (target >= at) return false;
        if (!jumped) pos_ = at + 2;
        jumped = true;
        at = target;
        continue;
      }
      if ((len & 0xc0) != 0) return false;
      if (len == 0) {
        if (!jumped) pos_ = at + 1;
        return true;
      }
      if (at + 1 + len > p_.size()) return false;
      if (!out.empty()) out += '.';
      out += lower(p_.substr(at + 1, len));
      if (out.size() > 255) return false;
      at += 1 + len;
    }
  }

 private:
  std::string_view p_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string signable(std::uint64_t seq, std::string_view dns) {
  return "3:seqi" + std::to_string(seq) + "e1:v" + bencode_string(dns);
}

SignedPacket sign_packet(const crypto::Identity& id, std::string dns, std::uint64_t timestamp_us) {
  SignedPacket p;
  std::memcpy(p.key.data(), id.public_key().data(), 32);
  p.timestamp_us = timestamp_us;
  p.dns = std::move(dns);
  p.sig = id.sign(signable(p.timestamp_us, p.dns));
  return p;
}

std::string check_packet(const SignedPacket& p) {
  if (bencode_string(p.dns).size() > kMaxBencodedValue) return "packet too large";
  if (p.timestamp_us > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return "timestamp out of range";
  crypto::Ed25519Public key{};
  std::memcpy(key.data(), p.key.data(), 32);
  if (!crypto::ed25519_verify(key, signable(p.timestamp_us, p.dns), p.sig)) return "bad signature";
  return "";
}

std::string encode_node_record(const PublicKey& key, const NodeRecord& r) {
  std::vector<std::string> strings{"v=1"};
  for (const auto& a : r.addresses) strings.push_back("addr=" + a);
  for (const auto& x : r.rendezvous) strings.push_back("rdv=" + x);
  for (const auto& t : r.turn) strings.push_back("turn=" + t);
  std::string out;
  put16(out, 0);       // id
  put16(out, 0x8400);  // a response, authoritative (as pkarr writes its packets)
  put16(out, 0);
  put16(out, static_cast<std::uint16_t>(strings.size()));
  put16(out, 0);
  put16(out, 0);
  std::string origin = z32_encode(key);
  bool first = true;
  for (const auto& s : strings) {
    if (s.size() > 255) throw std::invalid_argument("a record value is longer than a TXT string allows: " + s);
    if (first) {
      out += static_cast<char>(kLabel.size());
      out += kLabel;
      out += static_cast<char>(origin.size());
      out += origin;
      out += '\0';
      first = false;
    } else {
      put16(out, 0xc00c);  // the name written at offset 12
    }
    put16(out, kTypeTxt);
    put16(out, kClassIn);
    put32(out, kTtl);
    put16(out, static_cast<std::uint16_t>(s.size() + 1));
    out += static_cast<char>(s.size());
    out += s;
  }
  if (bencode_string(out).size() > kMaxBencodedValue)
    throw std::invalid_argument("the node record does not fit in a 1000-byte DHT item (" + std::to_string(out.size()) +
                                " bytes); publish fewer addresses");
  return out;
}

std::optional<NodeRecord> decode_node_record(const PublicKey& key, std::string_view dns, std::string& why) {
  auto fail = [&](const char* reason) {
    why = reason;
    return std::nullopt;
  };
  if (dns.size() > kMaxDnsPacket) return fail("DNS packet too large");
  DnsReader in(dns);
  std::uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  if (!in.u16(id) || !in.u16(flags) || !in.u16(qd) || !in.u16(an) || !in.u16(ns) || !in.u16(ar))
    return fail("truncated DNS header");
  if (qd > 16 || std::size_t{an} + ns + ar > kMaxRecords) return fail("too many DNS records");
  std::string name;
  for (int i = 0; i < qd; ++i) {
    std::uint16_t t = 0, c = 0;
    if (!in.name(name) || !in.u16(t) || !in.u16(c)) return fail("malformed DNS question");
  }
  const std::string full = std::string(kLabel) + "." + z32_encode(key);
  NodeRecord rec;
  bool version = false;
  for (std::size_t i = 0; i < std::size_t{an} + ns + ar; ++i) {
    std::uint16_t type = 0, cls = 0, rdlen = 0;
    std::uint32_t ttl = 0;
    std::string_view rdata;
    if (!in.name(name) || !in.u16(type) || !in.u16(cls) || !in.u32(ttl) || !in.u16(rdlen) || !in.bytes(rdlen, rdata))
      return fail("malformed DNS record");
    if (type != kTypeTxt || (name != full && name != kLabel)) continue;
    std::size_t at = 0;
    while (at < rdata.size()) {
      auto len = static_cast<std::uint8_t>(rdata[at]);
      if (at + 1 + len > rdata.size()) return fail("malformed TXT string");
      std::string_view s = rdata.substr(at + 1, len);
      at += 1 + len;
      auto eq = s.find('=');
      if (eq == std::string_view::npos) continue;
      auto k = s.substr(0, eq);
      auto v = std::string(s.substr(eq + 1));
      if (k == "v") {
        if (v != "1") return fail("unsupported record version");
        version = true;
      } else if (v.empty()) {
        continue;
      } else if (k == "addr" && rec.addresses.size() < kMaxValues) {
        if (!util::parse_host_port(v)) continue;  // malformed, or an unbracketed IPv6 literal: unusable
        rec.addresses.push_back(std::move(v));
      } else if (k == "rdv" && rec.rendezvous.size() < kMaxValues) {
        rec.rendezvous.push_back(std::move(v));
      } else if (k == "turn" && rec.turn.size() < kMaxValues) {
        rec.turn.push_back(std::move(v));
      }
    }
  }
  if (!version) return fail("no _soundtime v=1 record");
  return rec;
}

std::optional<PublicKey> key_of_node_id(std::string_view node_id_hex) {
  auto k = crypto::parse_node_id(node_id_hex);
  if (!k) return std::nullopt;
  PublicKey out{};
  std::memcpy(out.data(), k->data(), 32);
  return out;
}

std::string relay_body(const SignedPacket& p) {
  std::string out(reinterpret_cast<const char*>(p.sig.data()), p.sig.size());
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((p.timestamp_us >> shift) & 0xff);
  out += p.dns;
  return out;
}

std::optional<SignedPacket> parse_relay_body(const PublicKey& key, std::string_view body, std::string& why) {
  if (body.size() < 72) {
    why = "relay body too short";
    return std::nullopt;
  }
  if (body.size() > 72 + kMaxDnsPacket) {
    why = "relay body too large";
    return std::nullopt;
  }
  SignedPacket p;
  p.key = key;
  std::memcpy(p.sig.data(), body.data(), 64);
  for (int i = 0; i < 8; ++i) p.timestamp_us = (p.timestamp_us << 8) | static_cast<std::uint8_t>(body[64 + i]);
  p.dns.assign(body.substr(72));
  why = check_packet(p);
  if (!why.empty()) return std::nullopt;
  return p;
}

}  // namespace st::p2p::dht
