#include "p2p/portmap/gateway.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include "p2p/portmap/port_mapper.hpp"
#include "util/strings.hpp"

namespace st::p2p::portmap {

namespace {

std::optional<std::uint32_t> hex32(std::string_view s) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string default_gateway_from(std::string_view table) {
  constexpr std::uint32_t kRtfUp = 0x1, kRtfGateway = 0x2;
  std::string best;
  long long best_metric = std::numeric_limits<long long>::max();
  int lines = 0;
  for (auto line : util::split(table, '\n')) {
    if (++lines == 1 || lines > 4096) continue;  // the header; a sane bound on the table
    std::vector<std::string_view> f;
    for (auto field : util::split(line, '\t')) {
      auto t = util::trim(field);
      if (!t.empty()) f.push_back(t);
    }
    if (f.size() < 8) continue;
    auto dest = hex32(f[1]), gw = hex32(f[2]), flags = hex32(f[3]), mask = hex32(f[7]);
    auto metric = util::parse_int(f[6]);
    if (!dest || !gw || !flags || !mask || !metric) continue;
    if (*dest != 0 || *mask != 0 || (*flags & (kRtfUp | kRtfGateway)) != (kRtfUp | kRtfGateway) || *gw == 0) continue;
    if (*metric >= best_metric) continue;
    // The kernel prints the address as the raw in-memory (network order) word.
    in_addr a{};
    a.s_addr = *gw;
    char buf[INET_ADDRSTRLEN] = {};
    if (!inet_ntop(AF_INET, &a, buf, sizeof buf)) continue;
    best = buf;
    best_metric = *metric;
  }
  return best;
}

std::optional<std::uint32_t> parse_ipv4(std::string_view s) {
  if (s.empty() || s.size() >= INET_ADDRSTRLEN) return std::nullopt;
  std::string z(s);
  in_addr a{};
  if (inet_pton(AF_INET, z.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_ipv4(std::uint32_t ip) {
  in_addr a{};
  a.s_addr = htonl(ip);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

std::string local_address_toward(const std::string& gateway) {
  auto gw = parse_ipv4(gateway);
  if (!gw) return {};
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(5351);
  to.sin_addr.s_addr = htonl(*gw);
  std::string out;
  sockaddr_in me{};
  socklen_t len = sizeof me;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len) == 0)
    out = format_ipv4(ntohl(me.sin_addr.s_addr));
  close(fd);
  return out;
}

AddressKind classify_ipv4(std::uint32_t ip) {
  auto in = [ip](std::uint32_t net, int bits) { return (ip >> (32 - bits)) == (net >> (32 - bits)); };
  if (ip == 0) return AddressKind::unspecified;
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return AddressKind::private_rfc1918;
  if (in(0x64400000, 10)) return AddressKind::cgnat;
  if (in(0xC6120000, 15)) return AddressKind::reserved_benchmark;
  if (in(0x7F000000, 8)) return AddressKind::loopback;
  if (in(0xA9FE0000, 16)) return AddressKind::link_local;
  if (in(0x00000000, 8) || in(0xE0000000, 3) || in(0xC0000000, 24) || in(0xC0000200, 24) ||
      in(0xC6336400, 24) || in(0xCB007100, 24))
    return AddressKind::other_special;  // this network, multicast/class E, IETF, documentation ranges
  return AddressKind::global;
}

std::string default_gateway() {
  std::ifstream f("/proc/net/route");
  if (!f) return {};
  std::ostringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  if (text.size() > (1u << 20)) text.resize(1u << 20);
  return default_gateway_from(text);
}

bool is_double_nat_external(const std::string& ipv4) {
  auto ip = parse_ipv4(ipv4);
  if (!ip) return false;
  switch (classify_ipv4(*ip)) {
    case AddressKind::private_rfc1918:
    case AddressKind::cgnat:
    case AddressKind::loopback:
    case AddressKind::link_local:
    case AddressKind::unspecified:
      return true;
    default:
      return false;
  }
}

}  // namespace st::p2p::portmap
