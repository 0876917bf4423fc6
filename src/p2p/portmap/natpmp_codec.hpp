#pragma once
// NAT-PMP (RFC 6886) messages: a pure codec, no I/O. Our NAT-PMP client is libnatpmp; this codec reads
// the version-0 answer a NAT-PMP-only router gives to a PCP request (so we fall through at once), and
// lets tests play the router.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::p2p::portmap {

inline constexpr std::uint8_t kNatPmpVersion = 0;
inline constexpr std::uint8_t kNatPmpOpPublicAddress = 0;
inline constexpr std::uint8_t kNatPmpOpMapUdp = 1;
inline constexpr std::uint8_t kNatPmpOpMapTcp = 2;
inline constexpr std::uint16_t kNatPmpUnsupportedVersion = 1;

// "SUCCESS", "UNSUPPORTED_VERSION", "NOT_AUTHORIZED", "NETWORK_FAILURE", "OUT_OF_RESOURCES",
// "UNSUPPORTED_OPCODE", "UNKNOWN_RESULT".
std::string_view natpmp_result_name(std::uint16_t code);

struct NatPmpRequest {
  std::uint8_t opcode = 0;  // 0 public address, 1 UDP, 2 TCP
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;  // suggested
  std::uint32_t lifetime = 0;
};

struct NatPmpResponse {
  std::uint8_t opcode = 0;   // the request's opcode (without the 128 response bit)
  std::uint16_t result = 0;
  std::uint32_t epoch = 0;
  std::uint32_t public_ip = 0;  // host byte order (opcode 0)
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;
  std::uint32_t lifetime = 0;
};

std::optional<NatPmpRequest> decode_natpmp_request(std::string_view packet, std::string* why);
std::string encode_natpmp_request(const NatPmpRequest& r);

// Version 0, the response bit set, result and epoch present. A success must have its full size (12 bytes
// for the public address, 16 for a mapping); an error answer may stop after the epoch (8 bytes).
std::optional<NatPmpResponse> decode_natpmp_response(std::string_view packet, std::string* why);
std::string encode_natpmp_response(const NatPmpResponse& r);

}  // namespace st::p2p::portmap
