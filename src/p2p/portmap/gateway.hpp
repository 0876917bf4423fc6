#pragma once
// Finding the router: the default route's gateway, our address toward it, and what kind of IPv4
// address a router reports as its external one.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::p2p::portmap {

// The gateway of the lowest-metric IPv4 default route in the text of /proc/net/route, "" when none.
std::string default_gateway_from(std::string_view proc_net_route);

// "a.b.c.d" <-> host byte order.
std::optional<std::uint32_t> parse_ipv4(std::string_view s);
std::string format_ipv4(std::uint32_t ip);

// The local address the kernel would use toward `gateway` (a UDP connect sends nothing), "" on failure.
std::string local_address_toward(const std::string& gateway);

enum class AddressKind { global, private_rfc1918, cgnat, reserved_benchmark, loopback, link_local, unspecified, other_special };
AddressKind classify_ipv4(std::uint32_t ip);

}  // namespace st::p2p::portmap
