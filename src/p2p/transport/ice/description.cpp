// The ICE description exchanged through the rendezvous: untrusted text, so every field is checked here
// before libnice sees it (numeric addresses only: a name would make us resolve what a stranger chose).
#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

#include "p2p/transport/ice/ice_session.hpp"

namespace st::p2p::ice {
namespace {

constexpr std::string_view kUfrag = "ice-ufrag:";
constexpr std::string_view kPwd = "ice-pwd:";
constexpr std::string_view kCandidate = "candidate:";
constexpr std::size_t kMaxExtensions = 4;

bool ice_chars(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

template <typename T>
bool parse_uint(std::string_view s, std::size_t max_digits, T& out) {
  if (s.empty() || s.size() > max_digits) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_port(std::string_view s) {
  std::uint32_t v = 0;
  return parse_uint(s, 5, v) && v >= 1 && v <= 65535;
}

// A unicast IPv4 or IPv6 literal (no zone, no name); not unspecified, multicast or broadcast.
bool unicast_ip(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  std::array<unsigned char, 16> a{};
  if (inet_pton(AF_INET, buf, a.data()) == 1) {
    std::uint32_t v = (std::uint32_t(a[0]) << 24) | (std::uint32_t(a[1]) << 16) | (std::uint32_t(a[2]) << 8) | a[3];
    return v != 0 && v != 0xffffffffu && (a[0] & 0xf0) != 0xe0;
  }
  if (inet_pton(AF_INET6, buf, a.data()) == 1) {
    bool zero = true;
    for (auto b : a) zero = zero && b == 0;
    return !zero && a[0] != 0xff;
  }
  return false;
}

std::vector<std::string_view> split_spaces(std::string_view s, bool& empty_token) {
  std::vector<std::string_view> out;
  empty_token = false;
  std::size_t start = 0;
  while (true) {
    auto sp = s.find(' ', start);
    auto tok = s.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start);
    if (tok.empty()) empty_token = true;
    out.push_back(tok);
    if (sp == std::string_view::npos || out.size() > 32) break;
    start = sp + 1;
  }
  return out;
}

}  // namespace

bool valid_candidate(std::string_view line, std::string& why) {
  if (line.substr(0, kCandidate.size()) != kCandidate) return why = "not a candidate line", false;
  bool empty_token = false;
  auto t = split_spaces(line.substr(kCandidate.size()), empty_token);
  if (empty_token) return why = "empty field in candidate", false;
  if (t.size() < 8 || t.size() > 6 + 2 * (3 + kMaxExtensions)) return why = "wrong number of candidate fields", false;
  if (!ice_chars(t[0], 1, 32)) return why = "bad foundation", false;
  if (t[1] != "1") return why = "component must be 1", false;
  bool tcp = iequal(t[2], "tcp");
  if (!tcp && !iequal(t[2], "udp")) return why = "transport must be UDP or TCP", false;
  std::uint64_t priority = 0;
  if (!parse_uint(t[3], 10, priority) || priority == 0 || priority > 0xffffffffull) return why = "bad priority", false;
  if (!unicast_ip(t[4])) return why = "address must be a unicast IP literal", false;
  if (!parse_port(t[5])) return why = "bad port", false;
  if (t[6] != "typ") return why = "missing typ", false;
  bool seen_raddr = false, seen_rport = false, seen_tcptype = false;
  std::size_t extensions = 0;
  for (std::size_t i = 6; i < t.size(); i += 2) {
    if (i + 1 >= t.size()) return why = "attribute without value", false;
    auto name = t[i], value = t[i + 1];
    if (name == "typ") {
      if (i != 6) return why = "duplicate typ", false;
      if (value != "host" && value != "srflx" && value != "prflx" && value != "relay") return why = "bad candidate type", false;
    } else if (name == "raddr") {
      if (seen_raddr || !unicast_ip(value)) return why = "bad raddr", false;
      seen_raddr = true;
    } else if (name == "rport") {
      if (seen_rport || !parse_port(value)) return why = "bad rport", false;
      seen_rport = true;
    } else if (name == "tcptype") {
      if (seen_tcptype || (value != "active" && value != "passive" && value != "so")) return why = "bad tcptype", false;
      seen_tcptype = true;
    } else {
      // RFC 5245 extension attributes ("generation 0", "network-id 1"): kept short and few; libnice skips them.
      if (++extensions > kMaxExtensions || name.size() > 32 || value.size() > 64) return why = "too many or too long extensions", false;
      for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return why = "bad extension name", false;
      for (char c : value)
        if (c <= ' ' || c > '~') return why = "bad extension value", false;
    }
  }
  if (seen_raddr != seen_rport) return why = "raddr and rport go together", false;
  if (tcp != seen_tcptype) return why = tcp ? "TCP candidate without tcptype" : "tcptype on a UDP candidate", false;
  return true;
}

std::string encode_description(const IceDescription& d) {
  std::string out;
  out.append(kUfrag).append(d.ufrag).append("\n");
  out.append(kPwd).append(d.pwd).append("\n");
  for (const auto& c : d.candidates) out.append(c).append("\n");
  return out;
}

std::optional<IceDescription> decode_description(std::string_view text, std::string& why) {
  if (text.size() > kMaxDescriptionBytes) return why = "description larger than 4 KiB", std::nullopt;
  IceDescription d;
  bool have_ufrag = false, have_pwd = false;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.substr(0, kUfrag.size()) == kUfrag) {
      if (have_ufrag) return why = "duplicate ice-ufrag", std::nullopt;
      auto v = line.substr(kUfrag.size());
      if (!ice_chars(v, 4, 256)) return why = "bad ice-ufrag", std::nullopt;
      d.ufrag = v;
      have_ufrag = true;
    } else if (line.substr(0, kPwd.size()) == kPwd) {
      if (have_pwd) return why = "duplicate ice-pwd", std::nullopt;
      auto v = line.substr(kPwd.size());
      if (!ice_chars(v, 22, 256)) return why = "bad ice-pwd", std::nullopt;
      d.pwd = v;
      have_pwd = true;
    } else if (line.substr(0, kCandidate.size()) == kCandidate) {
      if (d.candidates.size() >= kMaxCandidates) return why = "more than 32 candidates", std::nullopt;
      std::string reason;
      if (!valid_candidate(line, reason)) return why = "candidate " + std::to_string(d.candidates.size() + 1) + ": " + reason, std::nullopt;
      d.candidates.emplace_back(line);
    } else {
      return why = "unknown line", std::nullopt;
    }
  }
  if (!have_ufrag || !have_pwd) return why = "missing ice-ufrag or ice-pwd", std::nullopt;
  return d;
}

}  // namespace st::p2p::ice
