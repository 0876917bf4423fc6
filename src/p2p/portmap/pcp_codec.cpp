#include "p2p/portmap/pcp_codec.hpp"

#include <fmt/format.h>

#include "p2p/portmap/byte_io.hpp"
#include "p2p/portmap/natpmp_codec.hpp"

namespace st::p2p::portmap {

using namespace detail;

namespace {

void set_why(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

// Options follow the opcode payload: code (1), reserved (1), length (2), data padded to 4 bytes.
bool options_well_formed(std::string_view rest, std::string* why) {
  std::size_t at = 0;
  int count = 0;
  while (at < rest.size()) {
    if (rest.size() - at < 4) return set_why(why, "truncated PCP option header"), false;
    std::size_t len = be16(rest, at + 2);
    std::size_t padded = (len + 3) / 4 * 4;
    if (rest.size() - at - 4 < padded) return set_why(why, "PCP option longer than the packet"), false;
    at += 4 + padded;
    if (++count > 64) return set_why(why, "too many PCP options"), false;
  }
  return true;
}

}  // namespace

std::string_view pcp_result_name(std::uint8_t code) {
  static constexpr std::string_view names[] = {
      "SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "MALFORMED_REQUEST", "UNSUPP_OPCODE",
      "UNSUPP_OPTION", "MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES", "UNSUPP_PROTOCOL",
      "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL", "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS"};
  return code < std::size(names) ? names[code] : "UNKNOWN_RESULT";
}

std::string pcp_result_words(std::uint8_t code) {
  static constexpr std::string_view meaning[] = {
      "mapped",
      "the router speaks another PCP version",
      "the router's policy forbids this mapping; port forwarding may be switched off",
      "the router could not read our request",
      "the router does not offer PCP MAP",
      "the router does not support an option we sent",
      "the router could not read an option we sent",
      "the router has no working internet connection right now",
      "the router has no room for another mapping right now",
      "the router does not map TCP",
      "this device has used up its mapping quota on the router",
      "the router cannot give the external address or port we asked for",
      "the router saw our request come from another address (another NAT between us and it?)",
      "the router refused: too many remote peers"};
  std::string name(pcp_result_name(code));
  if (code < std::size(meaning)) return fmt::format("{} ({})", name, meaning[code]);
  return fmt::format("{} {}", name, code);
}

Ip6Bytes ipv4_mapped(std::uint32_t ipv4) {
  Ip6Bytes a{};
  a[10] = 0xff;
  a[11] = 0xff;
  a[12] = static_cast<std::uint8_t>(ipv4 >> 24);
  a[13] = static_cast<std::uint8_t>(ipv4 >> 16);
  a[14] = static_cast<std::uint8_t>(ipv4 >> 8);
  a[15] = static_cast<std::uint8_t>(ipv4);
  return a;
}

std::optional<std::uint32_t> mapped_ipv4(const Ip6Bytes& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return std::nullopt;
  if (a[10] != 0xff || a[11] != 0xff) return std::nullopt;
  return std::uint32_t{a[12]} << 24 | std::uint32_t{a[13]} << 16 | std::uint32_t{a[14]} << 8 | a[15];
}

namespace {

// The MAP opcode's 36 bytes after the 24-byte common header, the same in a request and an answer (RFC 6887
// §11.1): nonce, protocol, 3 reserved bytes, internal port, suggested/assigned external port and address.
template <class Map>
void put_map_body(std::string& s, const Map& m) {
  put_bytes(s, m.nonce);
  put8(s, m.protocol);
  put8(s, 0), put16(s, 0);
  put16(s, m.internal_port);
  put16(s, m.external_port);
  put_bytes(s, m.external_ip);
}

template <class Map>
void get_map_body(std::string_view p, Map& m) {
  get_bytes(p, 24, m.nonce);
  m.protocol = u8(p, 36);
  m.internal_port = be16(p, 40);
  m.external_port = be16(p, 42);
  get_bytes(p, 44, m.external_ip);
}

// Size and version checks shared by both directions; `what` names the message in the reason.
bool well_sized_v2(std::string_view p, std::size_t min, const char* what, std::string* why) {
  if (p.size() < min) return set_why(why, fmt::format("{} shorter than {} bytes", what, min)), false;
  if (p.size() > kPcpMaxMessage || p.size() % 4 != 0)
    return set_why(why, fmt::format("{} size is not a multiple of 4 up to 1100", what)), false;
  if (u8(p, 0) != kPcpVersion) return set_why(why, fmt::format("{}: PCP version {}, not 2", what, u8(p, 0))), false;
  return true;
}

}  // namespace

std::string encode_pcp_map_request(const PcpMapRequest& r) {
  std::string s;
  s.reserve(kPcpMapSize);
  put8(s, kPcpVersion);
  put8(s, kPcpOpcodeMap);  // R bit clear: a request
  put16(s, 0);
  put32(s, r.lifetime);
  put_bytes(s, r.client_ip);
  put_map_body(s, r);
  return s;
}

std::optional<PcpMapRequest> decode_pcp_map_request(std::string_view p, std::string* why) {
  if (!well_sized_v2(p, kPcpMapSize, "PCP request", why)) return std::nullopt;
  if (u8(p, 1) != kPcpOpcodeMap) return set_why(why, "not a MAP request"), std::nullopt;
  if (!options_well_formed(p.substr(kPcpMapSize), why)) return std::nullopt;
  PcpMapRequest r;
  r.lifetime = be32(p, 4);
  get_bytes(p, 8, r.client_ip);
  get_map_body(p, r);
  return r;
}

std::string encode_pcp_map_response(const PcpMapResponse& r) {
  std::string s;
  s.reserve(kPcpMapSize);
  put8(s, kPcpVersion);
  put8(s, kPcpResponseBit | kPcpOpcodeMap);
  put8(s, 0);
  put8(s, r.result);
  put32(s, r.lifetime);
  put32(s, r.epoch);
  s.append(12, '\0');
  if (!r.has_payload) return s;
  put_map_body(s, r);
  return s;
}

std::optional<PcpMapResponse> decode_pcp_map_response(std::string_view p, std::string* why) {
  if (!well_sized_v2(p, kPcpHeaderSize, "PCP answer", why)) return std::nullopt;
  if (u8(p, 1) != (kPcpResponseBit | kPcpOpcodeMap))
    return set_why(why, fmt::format("PCP opcode byte 0x{:02x}, not a MAP answer (0x81)", u8(p, 1))), std::nullopt;
  PcpMapResponse r;
  r.result = u8(p, 3);
  r.lifetime = be32(p, 4);
  r.epoch = be32(p, 8);
  if (p.size() == kPcpHeaderSize) return r;
  if (p.size() < kPcpMapSize) return set_why(why, "PCP MAP answer with a truncated payload"), std::nullopt;
  if (!options_well_formed(p.substr(kPcpMapSize), why)) return std::nullopt;
  r.has_payload = true;
  get_map_body(p, r);
  return r;
}

PcpCheck check_pcp_response(std::string_view p, const PcpMapRequest& sent, PcpMapResponse* out) {
  PcpCheck c;
  if (!p.empty() && u8(p, 0) == kNatPmpVersion) {
    // A NAT-PMP-only router answers our version 2 with its own version 0 "unsupported version".
    std::string why;
    auto n = decode_natpmp_response(p, &why);
    if (n && n->result == kNatPmpUnsupportedVersion) {
      c.verdict = PcpVerdict::natpmp_only;
      c.why = "the router speaks NAT-PMP, not PCP";
    } else {
      c.why = n ? "a NAT-PMP answer that is not \"unsupported version\"" : why;
    }
    return c;
  }
  auto r = decode_pcp_map_response(p, &c.why);
  if (!r) return c;
  if (r->result == static_cast<std::uint8_t>(PcpResult::unsupp_version) && !r->has_payload) {
    // A PCP server of another version answers with its header alone; no nonce to check.
    c.verdict = PcpVerdict::refused;
    c.why = "the router refused the PCP mapping: " + pcp_result_words(r->result);
    return c;
  }
  if (!r->has_payload) {
    c.why = "PCP answer without the MAP payload";
    return c;
  }
  if (r->nonce != sent.nonce) {
    c.why = "PCP answer with another mapping nonce";
    return c;
  }
  if (r->protocol != sent.protocol || r->internal_port != sent.internal_port) {
    c.why = "PCP answer for another protocol or internal port";
    return c;
  }
  if (r->result != 0) {
    c.verdict = PcpVerdict::refused;
    c.why = "the router refused the PCP mapping: " + pcp_result_words(r->result);
    if (out) *out = *r;
    return c;
  }
  if (sent.lifetime != 0) {
    auto ip = mapped_ipv4(r->external_ip);
    if (r->lifetime == 0 || r->external_port == 0 || !ip || *ip == 0) {
      c.why = "PCP success without a usable external address, port or lifetime";
      return c;
    }
  }
  c.verdict = PcpVerdict::mapped;
  if (out) *out = *r;
  return c;
}

bool pcp_epoch_valid(std::uint32_t prev_server, std::int64_t prev_client, std::uint32_t curr_server,
                     std::int64_t curr_client) {
  if (std::int64_t{curr_server} + 1 < std::int64_t{prev_server}) return false;  // time went backwards
  std::int64_t client_delta = curr_client - prev_client;
  std::int64_t server_delta = std::int64_t{curr_server} - std::int64_t{prev_server};
  if (client_delta + 2 < server_delta - server_delta / 16) return false;
  if (server_delta + 2 < client_delta - client_delta / 16) return false;
  return true;
}

}  // namespace st::p2p::portmap
