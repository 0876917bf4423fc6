#include "p2p/lan_discovery.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "util/strings.hpp"
#include "util/time.hpp"

extern char** environ;

namespace st::p2p {

namespace {

constexpr char kMagic[4] = {'S', 'T', 'L', 'A'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSignedLen = 47;
constexpr std::string_view kDomain = "soundtime-lan/1";
constexpr std::string_view kService = "_soundtime-p2p._tcp";

std::string signing_bytes(std::string_view body) { return std::string(kDomain) + std::string(body); }

bool is_hex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::optional<std::string> find_in_path(const char* name) {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  for (const auto& dir : util::split(path, ':')) {
    if (dir.empty()) continue;
    auto p = std::filesystem::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return std::nullopt;
}

}  // namespace

std::string encode_lan_announcement(const crypto::Identity& id, std::uint16_t port, std::uint64_t timestamp) {
  std::string b(kMagic, 4);
  b.push_back(static_cast<char>(kVersion));
  b.append(reinterpret_cast<const char*>(id.public_key().data()), 32);
  b.push_back(static_cast<char>(port >> 8));
  b.push_back(static_cast<char>(port & 0xFF));
  for (int i = 7; i >= 0; --i) b.push_back(static_cast<char>(timestamp >> (i * 8)));
  auto sig = id.sign(signing_bytes(b));
  b.append(reinterpret_cast<const char*>(sig.data()), sig.size());
  return b;
}

std::optional<LanAnnouncement> decode_lan_announcement(std::string_view p, std::uint64_t now, std::string* why) {
  auto fail = [&](const char* w) -> std::optional<LanAnnouncement> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (p.size() != kLanAnnouncementSize) return fail("wrong size");
  if (p.substr(0, 4) != std::string_view(kMagic, 4)) return fail("not a SoundTime announcement");
  if (static_cast<std::uint8_t>(p[4]) != kVersion) return fail("unknown version");
  crypto::Ed25519Public key{};
  std::memcpy(key.data(), p.data() + 5, 32);
  LanAnnouncement a;
  a.port = static_cast<std::uint16_t>((static_cast<unsigned char>(p[37]) << 8) | static_cast<unsigned char>(p[38]));
  if (a.port == 0) return fail("port 0");
  for (int i = 0; i < 8; ++i) a.timestamp = (a.timestamp << 8) | static_cast<unsigned char>(p[39 + i]);
  if (a.timestamp > now + kLanMaxSkewSeconds || a.timestamp + kLanMaxSkewSeconds < now) return fail("stale timestamp");
  std::array<std::uint8_t, 64> sig{};
  std::memcpy(sig.data(), p.data() + kSignedLen, 64);
  if (!crypto::ed25519_verify(key, signing_bytes(p.substr(0, kSignedLen)), sig)) return fail("bad signature");
  a.node_id = crypto::node_id_of(key);
  return a;
}

std::optional<MdnsPeer> parse_avahi_browse_line(std::string_view line) {
  if (line.size() > 4096) return std::nullopt;
  std::vector<std::string_view> f;
  std::size_t start = 0;
  while (f.size() < 10) {
    auto end = line.find(';', start);
    if (f.size() == 9 || end == std::string_view::npos) {
      f.push_back(line.substr(start));
      break;
    }
    f.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  if (f.size() != 10 || f[0] != "=" || f[4] != kService) return std::nullopt;
  auto host = std::string(f[7]);
  auto port = util::parse_int(std::string(f[8]));
  if (!port || *port < 1 || *port > 65535 || host.empty()) return std::nullopt;
  in6_addr a6{};
  in_addr a4{};
  if (::inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
    if (IN6_IS_ADDR_LINKLOCAL(&a6)) return std::nullopt;  // unusable without its scope
    host = "[" + host + "]";
  } else if (::inet_pton(AF_INET, host.c_str(), &a4) != 1) {
    return std::nullopt;
  }
  auto at = f[9].find("\"node_id=");
  if (at == std::string_view::npos || f[9].size() < at + 9 + 65) return std::nullopt;
  auto id = f[9].substr(at + 9, 64);
  if (!is_hex64(id) || f[9][at + 9 + 64] != '"') return std::nullopt;
  return MdnsPeer{std::string(id), host + ":" + std::to_string(*port)};
}

std::optional<std::pair<std::string, std::uint16_t>> parse_lan_group(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string ip(text.substr(0, colon));
  auto port = util::parse_int(std::string(text.substr(colon + 1)));
  in_addr a{};
  if (!port || *port < 1 || *port > 65535 || ::inet_pton(AF_INET, ip.c_str(), &a) != 1) return std::nullopt;
  if ((ntohl(a.s_addr) >> 24) != 239) return std::nullopt;  // administratively scoped only
  return std::make_pair(ip, static_cast<std::uint16_t>(*port));
}

LanDiscovery::LanDiscovery(const crypto::Identity& id, std::uint16_t p2p_port, LanOptions options, OnPeer on_peer)
    : id_(id), p2p_port_(p2p_port), opts_(std::move(options)), on_peer_(std::move(on_peer)) {
  auto fail = [&](const std::string& what) {
    int e = errno;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("LAN discovery: " + what + ": " + std::strerror(e));
  };
  in_addr group{}, iface{};
  if (!parse_lan_group(opts_.group + ":" + std::to_string(opts_.group_port)))
    throw std::runtime_error("LAN discovery: the group must be an IPv4 address in 239.0.0.0/8 with a port");
  ::inet_pton(AF_INET, opts_.group.c_str(), &group);
  iface.s_addr = htonl(INADDR_ANY);
  if (!opts_.interface_ip.empty() && ::inet_pton(AF_INET, opts_.interface_ip.c_str(), &iface) != 1)
    throw std::runtime_error("LAN discovery: P2P_LAN_INTERFACE must be an IPv4 address");
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) fail("socket");
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(opts_.group_port);
  local.sin_addr = group;  // only datagrams sent to the group
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) fail("bind");
  ip_mreq m{};
  m.imr_multiaddr = group;
  m.imr_interface = iface;
  if (::setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0) fail("joining " + opts_.group);
  if (!opts_.interface_ip.empty() && ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface) != 0)
    fail("choosing interface " + opts_.interface_ip);
  unsigned char ttl = 1, loop = 1;  // never beyond the local link
  ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  if (opts_.use_avahi) start_avahi();
  spdlog::info("p2p: LAN discovery on {}:{} every {} s{}", opts_.group, opts_.group_port, opts_.interval.count(),
               avahi() ? " (and mDNS through Avahi)" : "");
  thread_ = std::thread([this] { run(); });
}

LanDiscovery::~LanDiscovery() { stop(); }

void LanDiscovery::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (avahi_pid_ > 0) {
    ::kill(avahi_pid_, SIGTERM);
    ::waitpid(avahi_pid_, nullptr, 0);
    avahi_pid_ = -1;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void LanDiscovery::run() {
  auto next = std::chrono::steady_clock::now();
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next) {
      announce();
      if (avahi()) browse_avahi();
      next = now + opts_.interval;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 250) > 0 && (p.revents & POLLIN)) receive();
  }
}

void LanDiscovery::announce() {
  auto packet = encode_lan_announcement(id_, p2p_port_, static_cast<std::uint64_t>(util::now_seconds()));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(opts_.group_port);
  ::inet_pton(AF_INET, opts_.group.c_str(), &to.sin_addr);
  if (::sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    spdlog::debug("p2p: LAN announcement not sent: {}", std::strerror(errno));
  else
    ++sent_;
}

void LanDiscovery::receive() {
  for (int i = 0; i < 64; ++i) {  // bounded per wake-up
    char buf[512];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return;
    std::string why;
    auto a = decode_lan_announcement(std::string_view(buf, static_cast<std::size_t>(n)),
                                     static_cast<std::uint64_t>(util::now_seconds()), &why);
    if (!a) {
      spdlog::debug("p2p: LAN packet ignored: {}", why);
      continue;
    }
    if (a->node_id == id_.node_id()) continue;
    if (last_heard_.size() >= 4096 && !last_heard_.count(a->node_id)) last_heard_.clear();  // keys are free to make
    auto& last = last_heard_[a->node_id];
    if (a->timestamp <= last) continue;  // a replay, or the same second again
    last = a->timestamp;
    ++heard_;
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
    on_peer_(a->node_id, std::string(ip) + ":" + std::to_string(a->port));
  }
}

void LanDiscovery::start_avahi() {
  auto publish = find_in_path("avahi-publish");
  bool daemon = std::filesystem::exists("/run/avahi-daemon/socket");
  if (!publish || !find_in_path("avahi-browse") || !daemon) {
    spdlog::info("p2p: Avahi not available ({}); mDNS skipped",
                 !daemon ? "no daemon socket at /run/avahi-daemon/socket" : "avahi-utils not installed");
    return;
  }
  std::string name = "SoundTime " + id_.node_id().substr(0, 8);
  std::string port = std::to_string(p2p_port_);
  std::string txt = "node_id=" + id_.node_id();
  std::vector<char*> argv{const_cast<char*>(publish->c_str()), const_cast<char*>("-s"), name.data(),
                          const_cast<char*>(kService.data()), port.data(), txt.data(), nullptr};
  pid_t pid = -1;
  if (::posix_spawn(&pid, publish->c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    spdlog::warn("p2p: cannot start avahi-publish; mDNS skipped");
    return;
  }
  avahi_pid_ = pid;
}

void LanDiscovery::browse_avahi() {
  // -t: dump the cache and exit; `timeout` bounds a daemon that does not answer.
  std::string cmd = "timeout 5 avahi-browse -p -r -t -k " + std::string(kService) + " 2>/dev/null";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return;
  char line[4096];
  for (int i = 0; i < 1000 && std::fgets(line, sizeof line, f); ++i) {
    std::string_view l(line);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
    if (auto p = parse_avahi_browse_line(l); p && p->node_id != id_.node_id()) on_peer_(p->node_id, p->address);
  }
  ::pclose(f);
}

}  // namespace st::p2p
