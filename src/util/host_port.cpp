#include "util/host_port.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "util/strings.hpp"

namespace st::util {

namespace {

constexpr std::size_t kMaxHost = 253;  // a DNS name's limit; any IP literal is shorter

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

}  // namespace

std::string canonical_ip(std::string_view text) {
  std::string ip(text);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip.size() > 64) return std::string(text);
  in_addr a4{};
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, ip.c_str(), &a4) == 1) return inet_ntop(AF_INET, &a4, buf, sizeof buf) ? buf : ip;
  in6_addr a6{};
  if (inet_pton(AF_INET6, ip.c_str(), &a6) != 1) return std::string(text);
  if (IN6_IS_ADDR_V4MAPPED(&a6)) {
    std::memcpy(&a4, a6.s6_addr + 12, 4);
    return inet_ntop(AF_INET, &a4, buf, sizeof buf) ? buf : ip;
  }
  return inet_ntop(AF_INET6, &a6, buf, sizeof buf) ? buf : ip;
}

bool is_ipv6_literal(std::string_view text) {
  std::string ip(text.substr(0, 64));
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  in6_addr a6{};
  return text.size() <= 64 && inet_pton(AF_INET6, ip.c_str(), &a6) == 1 && !IN6_IS_ADDR_V4MAPPED(&a6);
}

std::optional<HostPort> parse_host_port(std::string_view text, std::string* why) {
  auto fail = [why](std::string w) -> std::optional<HostPort> {
    if (why) *why = std::move(w);
    return std::nullopt;
  };
  if (text.size() > kMaxHost + 8) return fail("too long");
  std::string_view host, port;
  bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail("a '[' without its ']'");
    if (close + 1 >= text.size() || text[close + 1] != ':') return fail("no :port after [address]");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return fail("no :port");
    if (text.find(':', colon + 1) != std::string_view::npos)
      return fail("an IPv6 address must be in brackets, such as [2001:db8::1]:11204");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return fail("no host");
  auto p = port.empty() || port.front() == '+' || port.front() == '-' ? std::nullopt : parse_int(port);
  if (!p || *p < 1 || *p > 65535) return fail("the port must be a number from 1 to 65535");
  HostPort out;
  out.port = static_cast<std::uint16_t>(*p);
  if (bracketed) {
    if (host.find('%') != std::string_view::npos) return fail("a zoned (link-local) IPv6 address cannot be shared");
    if (!is_ipv6_literal(host)) {
      // [::ffff:1.2.3.4] is accepted as the IPv4 address it maps
      auto c = canonical_ip(host);
      in_addr a4{};
      if (c == host || inet_pton(AF_INET, c.c_str(), &a4) != 1) return fail("not an IPv6 address in brackets");
    }
    out.host = canonical_ip(host);
    return out;
  }
  if (host.size() > kMaxHost) return fail("the host name is too long");
  for (char c : host)
    if (!name_char(c)) return fail("the host has a character that is not allowed in a name");
  out.host = canonical_ip(host);
  return out;
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
  std::string h(host);
  bool v6 = h.find(':') != std::string::npos && !(h.size() >= 2 && h.front() == '[');
  return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

}  // namespace st::util
