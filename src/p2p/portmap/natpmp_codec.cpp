#include "p2p/portmap/natpmp_codec.hpp"

#include <fmt/format.h>

#include "p2p/portmap/byte_io.hpp"

namespace st::p2p::portmap {

using namespace detail;

namespace {

constexpr std::uint8_t kResponseBit = 128;
constexpr std::size_t kMaxNatPmpMessage = 1100;  // longer is not NAT-PMP (nor PCP) at all

void set_why(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

}  // namespace

std::string_view natpmp_result_name(std::uint16_t code) {
  static constexpr std::string_view names[] = {"SUCCESS", "UNSUPPORTED_VERSION", "NOT_AUTHORIZED",
                                               "NETWORK_FAILURE", "OUT_OF_RESOURCES", "UNSUPPORTED_OPCODE"};
  return code < std::size(names) ? names[code] : "UNKNOWN_RESULT";
}

std::optional<NatPmpRequest> decode_natpmp_request(std::string_view p, std::string* why) {
  if (p.size() < 2) return set_why(why, "NAT-PMP request shorter than 2 bytes"), std::nullopt;
  if (p.size() > kMaxNatPmpMessage) return set_why(why, "NAT-PMP request too long"), std::nullopt;
  if (u8(p, 0) != kNatPmpVersion) return set_why(why, "not NAT-PMP version 0"), std::nullopt;
  NatPmpRequest r;
  r.opcode = u8(p, 1);
  if (r.opcode == kNatPmpOpPublicAddress) return r;
  if (r.opcode != kNatPmpOpMapUdp && r.opcode != kNatPmpOpMapTcp)
    return set_why(why, fmt::format("NAT-PMP opcode {}", r.opcode)), std::nullopt;
  if (p.size() < 12) return set_why(why, "NAT-PMP mapping request shorter than 12 bytes"), std::nullopt;
  r.internal_port = be16(p, 4);
  r.external_port = be16(p, 6);
  r.lifetime = be32(p, 8);
  return r;
}

std::string encode_natpmp_request(const NatPmpRequest& r) {
  std::string s;
  put8(s, kNatPmpVersion);
  put8(s, r.opcode);
  if (r.opcode == kNatPmpOpPublicAddress) return s;
  put16(s, 0);
  put16(s, r.internal_port);
  put16(s, r.external_port);
  put32(s, r.lifetime);
  return s;
}

std::optional<NatPmpResponse> decode_natpmp_response(std::string_view p, std::string* why) {
  if (p.size() < 8) return set_why(why, "NAT-PMP answer shorter than 8 bytes"), std::nullopt;
  if (p.size() > kMaxNatPmpMessage) return set_why(why, "NAT-PMP answer too long"), std::nullopt;
  if (u8(p, 0) != kNatPmpVersion) return set_why(why, fmt::format("NAT-PMP version {}, not 0", u8(p, 0))), std::nullopt;
  if (!(u8(p, 1) & kResponseBit)) return set_why(why, "NAT-PMP request, not an answer"), std::nullopt;
  NatPmpResponse r;
  r.opcode = static_cast<std::uint8_t>(u8(p, 1) & ~kResponseBit);
  r.result = be16(p, 2);
  r.epoch = be32(p, 4);
  if (r.result != 0) return r;  // the other fields of an error answer are undefined (RFC 6886 §3.5)
  if (r.opcode == kNatPmpOpPublicAddress) {
    if (p.size() < 12) return set_why(why, "NAT-PMP address answer shorter than 12 bytes"), std::nullopt;
    r.public_ip = be32(p, 8);
    return r;
  }
  if (r.opcode != kNatPmpOpMapUdp && r.opcode != kNatPmpOpMapTcp)
    return set_why(why, fmt::format("NAT-PMP answer to opcode {}", r.opcode)), std::nullopt;
  if (p.size() < 16) return set_why(why, "NAT-PMP mapping answer shorter than 16 bytes"), std::nullopt;
  r.internal_port = be16(p, 8);
  r.external_port = be16(p, 10);
  r.lifetime = be32(p, 12);
  return r;
}

std::string encode_natpmp_response(const NatPmpResponse& r) {
  std::string s;
  put8(s, kNatPmpVersion);
  put8(s, static_cast<std::uint8_t>(kResponseBit | r.opcode));
  put16(s, r.result);
  put32(s, r.epoch);
  if (r.opcode == kNatPmpOpPublicAddress) {
    put32(s, r.public_ip);
  } else {
    put16(s, r.internal_port);
    put16(s, r.external_port);
    put32(s, r.lifetime);
  }
  return s;
}

}  // namespace st::p2p::portmap
