#include "themes/url_guard.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace st::themes {

namespace {

constexpr std::size_t kMaxUrl = 500;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool internal_v4(std::uint32_t a) {  // host byte order
  auto in = [a](std::uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) || in(0xA9FE0000, 16) ||
         in(0xAC100000, 12) || in(0xC0000000, 24) || in(0xC0A80000, 16) || in(0xE0000000, 4) || in(0xF0000000, 4);
}

bool metadata_host(const std::string& h) {
  static constexpr std::array<std::string_view, 5> kHosts{"metadata.google.internal", "metadata", "metadata.goog",
                                                          "instance-data", "instance-data.ec2.internal"};
  for (auto m : kHosts)
    if (h == m) return true;
  return false;
}

}  // namespace

bool internal_address(std::string_view numeric) {
  std::string s(numeric);
  if (auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);  // fe80::1%eth0
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return internal_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return true;
  const auto* b = v6.s6_addr;
  static constexpr std::array<std::uint8_t, 16> kZero{};
  if (std::memcmp(b, kZero.data(), 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  if ((b[0] & 0xFE) == 0xFC) return true;                                            // fc00::/7 unique local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return true;                           // fe80::/10 link-local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return true;                           // fec0::/10 site-local
  if (b[0] == 0xFF) return true;                                                    // multicast
  auto embedded_v4 = [b](int at) {
    return internal_v4((std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) | (std::uint32_t(b[at + 2]) << 8) |
                       b[at + 3]);
  };
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): judged by the IPv4 inside.
  static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped.data(), 12) == 0 || std::memcmp(b, kZero.data(), 12) == 0) return embedded_v4(12);
  static constexpr std::array<std::uint8_t, 12> kNat64{0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64.data(), 12) == 0) return embedded_v4(12);
  return false;
}

std::string check_git_url(std::string_view url, const Resolver& resolver, bool allow_private_hosts) {
  if (url.empty()) return "git_url is required";
  if (url.size() > kMaxUrl) return "git_url is too long";
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7f) return "git_url must not contain spaces or control characters";
  if (lower(url.substr(0, 8)) != "https://") return "Only HTTPS git URLs are allowed";
  auto rest = url.substr(8);
  auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return "git_url must not contain credentials";
  std::string host;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return "git_url has a malformed host";
    host = lower(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
  } else {
    auto colon = authority.find(':');
    host = lower(authority.substr(0, colon));
    authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
  }
  if (!authority.empty()) {  // :port
    if (authority.front() != ':' || authority.size() < 2 || authority.size() > 6) return "git_url has a malformed port";
    for (char c : authority.substr(1))
      if (c < '0' || c > '9') return "git_url has a malformed port";
  }
  while (host.ends_with('.')) host.pop_back();
  if (host.empty()) return "git_url has no host";
  for (char c : host)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' || c == '%' || c == '_'))
      return "git_url has a malformed host";
  if (allow_private_hosts) return "";
  if (host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local") || host.ends_with(".internal") ||
      metadata_host(host))
    return "git_url host is not allowed (local or internal host)";
  in_addr v4{};
  in6_addr v6{};
  bool literal = inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
  if (literal) return internal_address(host) ? "git_url host is not allowed (private or local address)" : "";
  // A name: every address it resolves to must be public (names like "2130706433" resolve to 127.0.0.1).
  auto addresses = resolver ? resolver(host) : std::vector<std::string>{};
  if (addresses.empty()) return "git_url host does not resolve";
  for (const auto& a : addresses)
    if (internal_address(a)) return "git_url host resolves to a private or local address";
  return "";
}

}  // namespace st::themes
