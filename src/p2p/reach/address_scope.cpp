#include "p2p/reach/address_scope.hpp"

#include <arpa/inet.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "util/host_port.hpp"

namespace st::p2p {

namespace {

std::atomic<bool> reserved_usable{false};

AddressScope scope_v4(std::uint32_t a) {  // host byte order
  auto in = [a](std::uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (a == 0 || in(0x00000000, 8)) return AddressScope::invalid;
  if (in(0x7f000000, 8)) return AddressScope::loopback;
  if (in(0xa9fe0000, 16)) return AddressScope::link_local;
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) return AddressScope::private_net;
  if (in(0x64400000, 10)) return AddressScope::shared_cgnat;
  if (in(0xe0000000, 4) || in(0xf0000000, 4)) return AddressScope::invalid;  // multicast, reserved, broadcast
  return AddressScope::global;
}

}  // namespace

AddressScope scope_of_ip(std::string_view ip_text) {
  std::string ip(ip_text);
  if (!ip.empty() && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return scope_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return AddressScope::invalid;
  const auto* b = v6.s6_addr;
  static constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, mapped.data(), mapped.size()) == 0)
    return scope_v4((std::uint32_t(b[12]) << 24) | (std::uint32_t(b[13]) << 16) | (std::uint32_t(b[14]) << 8) | b[15]);
  static constexpr std::array<std::uint8_t, 16> loop{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(b, loop.data(), 16) == 0) return AddressScope::loopback;
  bool zero = true;
  for (int i = 0; i < 16; ++i) zero = zero && b[i] == 0;
  if (zero || b[0] == 0xff) return AddressScope::invalid;          // unspecified, multicast
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressScope::link_local;
  if ((b[0] & 0xfe) == 0xfc) return AddressScope::private_net;    // unique local fc00::/7
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)  // documentation 2001:db8::/32
    return reserved_usable ? AddressScope::global : AddressScope::reserved;
  return AddressScope::global;
}

std::optional<std::string> host_of(std::string_view hp) {
  auto p = util::parse_host_port(hp);
  if (!p) return std::nullopt;
  return std::move(p->host);
}

bool scope_fits(AddressScope a, AddressScope peer) {
  switch (a) {
    case AddressScope::global: return true;
    case AddressScope::loopback: return peer == AddressScope::loopback;
    case AddressScope::private_net:
    case AddressScope::shared_cgnat:
      return peer == AddressScope::private_net || peer == AddressScope::shared_cgnat || peer == AddressScope::loopback;
    default: return false;
  }
}

const char* scope_name(AddressScope s) {
  switch (s) {
    case AddressScope::loopback: return "loopback";
    case AddressScope::link_local: return "link-local";
    case AddressScope::private_net: return "private";
    case AddressScope::shared_cgnat: return "carrier-grade NAT";
    case AddressScope::global: return "global";
    case AddressScope::reserved: return "reserved (documentation)";
    default: return "invalid";
  }
}

void set_reserved_scope_usable(bool usable) { reserved_usable = usable; }

}  // namespace st::p2p
