#pragma once
// PCP (RFC 6887) MAP requests and responses: a pure codec, no I/O. A response is checked against the
// request it answers (nonce, opcode, protocol, port) because anyone on the LAN can send us a datagram.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::p2p::portmap {

inline constexpr std::uint16_t kPcpServerPort = 5351;  // PCP and NAT-PMP share it
inline constexpr std::size_t kPcpHeaderSize = 24;
inline constexpr std::size_t kPcpMapSize = 60;     // header 24 + MAP opcode payload 36
inline constexpr std::size_t kPcpMaxMessage = 1100;  // RFC 6887 §7
inline constexpr std::uint8_t kPcpVersion = 2;
inline constexpr std::uint8_t kPcpOpcodeMap = 1;
inline constexpr std::uint8_t kPcpResponseBit = 0x80;
inline constexpr std::uint8_t kIpProtocolTcp = 6;

using PcpNonce = std::array<std::uint8_t, 12>;
using Ip6Bytes = std::array<std::uint8_t, 16>;

// RFC 6887 §7.4 result codes.
enum class PcpResult : std::uint8_t {
  success = 0, unsupp_version = 1, not_authorized = 2, malformed_request = 3, unsupp_opcode = 4,
  unsupp_option = 5, malformed_option = 6, network_failure = 7, no_resources = 8, unsupp_protocol = 9,
  user_ex_quota = 10, cannot_provide_external = 11, address_mismatch = 12, excessive_remote_peers = 13,
};
// "NOT_AUTHORIZED", ... ("UNKNOWN_RESULT" for codes RFC 6887 does not define).
std::string_view pcp_result_name(std::uint8_t code);
// The name and what it means for a user, e.g. "NOT_AUTHORIZED (the router's policy forbids this mapping)".
std::string pcp_result_words(std::uint8_t code);

struct PcpMapRequest {
  std::uint32_t lifetime = 0;     // 0 deletes the mapping named by the nonce
  Ip6Bytes client_ip{};           // IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d)
  PcpNonce nonce{};
  std::uint8_t protocol = kIpProtocolTcp;
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;  // suggested
  Ip6Bytes external_ip{};           // suggested; ::ffff:0.0.0.0 = no preference
};

struct PcpMapResponse {
  std::uint8_t result = 0;
  std::uint32_t lifetime = 0;
  std::uint32_t epoch = 0;
  bool has_payload = false;  // error answers may carry the header alone
  PcpNonce nonce{};
  std::uint8_t protocol = 0;
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;  // assigned
  Ip6Bytes external_ip{};           // assigned
};

std::string encode_pcp_map_request(const PcpMapRequest& r);
// For fake servers in tests and the fuzz target: a 60-byte (plus options) MAP request.
std::optional<PcpMapRequest> decode_pcp_map_request(std::string_view packet, std::string* why);

std::string encode_pcp_map_response(const PcpMapResponse& r);
// Structure only: version 2, response bit with opcode MAP, 24..1100 bytes, a multiple of 4, and
// well-formed options after the payload. Nothing (and why) otherwise.
std::optional<PcpMapResponse> decode_pcp_map_response(std::string_view packet, std::string* why);

// What one datagram received on the PCP socket means for the request we sent.
enum class PcpVerdict {
  mapped,       // a valid success for our nonce: `out` holds it
  refused,      // a valid error answer for our request: `why` names the result code
  natpmp_only,  // a NAT-PMP (version 0) server answered "unsupported version": try NAT-PMP
  ignore,       // not an answer to us (malformed, another nonce, a stranger's packet): keep waiting
};
struct PcpCheck {
  PcpVerdict verdict = PcpVerdict::ignore;
  std::string why;
};
PcpCheck check_pcp_response(std::string_view packet, const PcpMapRequest& sent, PcpMapResponse* out);

// RFC 6887 §8.5: false when the server's epoch shows that it lost its state (restarted) between two
// answers; client times are the client's monotonic seconds when each answer arrived.
bool pcp_epoch_valid(std::uint32_t prev_server, std::int64_t prev_client, std::uint32_t curr_server,
                     std::int64_t curr_client);

// IPv4 (host byte order) <-> IPv4-mapped IPv6.
Ip6Bytes ipv4_mapped(std::uint32_t ipv4);
std::optional<std::uint32_t> mapped_ipv4(const Ip6Bytes& a);

}  // namespace st::p2p::portmap
