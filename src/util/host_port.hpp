#pragma once
// One spelling of "host:port" for every address SoundTime reads or writes (seed peers, records, PEX,
// observed addresses, configuration): "name:port", "198.51.100.7:port" or "[2001:db8::7]:port". An IPv6
// literal must be bracketed: "2001:db8::7:7000" is ambiguous (is 7000 the port or the last group?).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::util {

struct HostPort {
  std::string host;  // a name, or an IP literal in canonical form without brackets (IPv4-mapped IPv6 as IPv4)
  std::uint16_t port = 0;
};

// Parses `text`; on failure `why` (when given) says what is wrong, in words for a configuration error.
std::optional<HostPort> parse_host_port(std::string_view text, std::string* why = nullptr);
// "host:port", with brackets around an IPv6 literal.
std::string format_host_port(std::string_view host, std::uint16_t port);
// The canonical text of an IP literal (lowercase, zeros compressed, IPv4-mapped IPv6 as IPv4); the input
// unchanged when it is not a literal. Brackets around an IPv6 literal are removed.
std::string canonical_ip(std::string_view ip);
bool is_ipv6_literal(std::string_view ip);

}  // namespace st::util
