#include "p2p/lan_discovery.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
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
  if (opts_.multicast) {
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
    spdlog::info("p2p: LAN discovery on {}:{} every {} s", opts_.group, opts_.group_port, opts_.interval.count());
  } else {
    spdlog::info("p2p: LAN discovery by mDNS only (multicast announcements off)");
  }
  if (opts_.use_avahi) {
    auto publish = find_in_path("avahi-publish"), browse = find_in_path("avahi-browse");
    if (publish && browse) {
      publish_path_ = *publish;
      browse_path_ = *browse;
    } else {
      spdlog::info("p2p: Avahi not available (avahi-utils not installed); mDNS skipped");
    }
  }
  if (!opts_.multicast && publish_path_.empty())
    spdlog::warn("p2p: LAN discovery has nothing to do: multicast announcements are off and Avahi is missing");
  thread_ = std::thread([this] { run(); });
}

LanDiscovery::~LanDiscovery() { stop(); }

void LanDiscovery::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();  // the thread ends its children before it returns
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void LanDiscovery::run() {
  using clock = std::chrono::steady_clock;
  auto next = clock::now();
  while (!stopping_) {
    auto now = clock::now();
    if (now >= next) {
      announce();
      if (mdns_ && browse_.pid < 0) start_browse();
      next = now + opts_.interval;
    }
    if (!publish_path_.empty() && publish_.pid < 0 && now >= publish_retry_) start_publish();
    if (browse_.pid > 0 && now >= browse_deadline_) {
      spdlog::debug("p2p: avahi-browse did not finish within 5 s");
      end_child(browse_);
    }
    pollfd p[3] = {{fd_, POLLIN, 0}, {publish_.fd, POLLIN, 0}, {browse_.fd, POLLIN, 0}};  // fd -1: ignored
    if (::poll(p, 3, 250) > 0) {
      if (p[0].revents & POLLIN) receive();
      if (p[1].revents) publish_output();
      if (p[2].revents) browse_output();
    }
  }
  mdns_ = false;
  end_child(browse_);
  end_child(publish_);  // its service is withdrawn as it exits
}

void LanDiscovery::announce() {
  if (fd_ < 0) return;  // multicast off
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
    on_peer_(a->node_id, std::string(ip) + ":" + std::to_string(a->port), LanVia::multicast);
  }
}

void LanDiscovery::start_publish() {
  std::string name = "SoundTime " + id_.node_id().substr(0, 8);
  publish_said_.clear();
  publish_ = spawn_child(publish_path_, {"-s", name, std::string(kService), std::to_string(p2p_port_),
                                         "node_id=" + id_.node_id()},
                         true);
  if (publish_.pid < 0) {
    spdlog::warn("p2p: cannot start avahi-publish: {}; mDNS skipped", std::strerror(errno));
    publish_path_.clear();
  }
}

void LanDiscovery::publish_output() {
  bool open = read_lines(publish_, [this](std::string_view line) {
    if (line.empty()) return;
    publish_said_ = std::string(line.substr(0, 200));
    // "Established under name 'SoundTime 0123abcd'" once the daemon has registered the service.
    if (line.starts_with("Established under name")) {
      bool was = mdns_.exchange(true);
      publish_backoff_ = std::chrono::seconds(0);
      if (!was) spdlog::info("p2p: mDNS service {} published through Avahi", line.substr(23));
      if (browse_.pid < 0) start_browse();  // the peers already published, without waiting an interval
    }
  });
  if (open) return;
  end_child(publish_);
  // avahi-publish exits when no daemon answers ("Daemon not running") or when the daemon goes away.
  auto why = publish_said_.empty() ? std::string("avahi-publish exited") : "avahi-publish: " + publish_said_;
  // Retried after the interval (at least 30 s), doubling up to 10 minutes while it keeps failing.
  auto floor = std::max<std::chrono::seconds>(opts_.interval, std::chrono::seconds(30));
  publish_backoff_ = std::max(floor, std::min<std::chrono::seconds>(publish_backoff_ * 2, std::chrono::seconds(600)));
  publish_retry_ = std::chrono::steady_clock::now() + publish_backoff_;
  if (mdns_.exchange(false)) {
    spdlog::warn("p2p: mDNS stopped ({}); retrying in {} s", why, publish_backoff_.count());
  } else if (!avahi_reported_) {
    spdlog::info("p2p: Avahi not available ({}); mDNS skipped, retried now and then", why);
  }
  avahi_reported_ = true;
}

void LanDiscovery::start_browse() {
  // -p parsable, -r resolve, -t dump the cache (after a first round of queries) and exit, -k raw type.
  browse_ = spawn_child(browse_path_, {"-p", "-r", "-t", "-k", std::string(kService)}, false);
  browse_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  if (browse_.pid < 0) spdlog::debug("p2p: cannot start avahi-browse: {}", std::strerror(errno));
}

void LanDiscovery::browse_output() {
  bool open = read_lines(browse_, [this](std::string_view line) {
    auto p = parse_avahi_browse_line(line);
    if (!p || p->node_id == id_.node_id()) return;
    ++mdns_heard_;
    on_peer_(p->node_id, p->address, LanVia::mdns);
  });
  if (!open || browse_.lines > 1000) end_child(browse_);
}

LanDiscovery::Child LanDiscovery::spawn_child(const std::string& path, const std::vector<std::string>& args,
                                              bool with_stderr) {
  Child c;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return c;
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) {
    int e = errno;
    ::close(out[0]);
    ::close(out[1]);
    errno = e;
    return c;
  }
  // Everything the child needs is prepared here: between fork and exec only async-signal-safe calls.
  std::vector<std::string> owned{path};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Ended by the kernel if the thread that started it dies without ending it (a crash, SIGKILL).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &dfl, nullptr);
    ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(with_stderr ? out[1] : null, 2);
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  int e = errno;
  ::close(out[1]);
  ::close(null);
  if (pid < 0) {
    ::close(out[0]);
    errno = e;
    return c;
  }
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  c.pid = pid;
  c.fd = out[0];
  return c;
}

bool LanDiscovery::read_lines(Child& c, const std::function<void(std::string_view)>& on_line) {
  if (c.fd < 0) return false;
  for (int i = 0; i < 16; ++i) {  // bounded per wake-up; the rest is read at the next one
    char buf[4096];
    auto n = ::read(c.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) {  // end of output (or an error: the same)
      if (!c.pending.empty()) on_line(c.pending);  // a last line without its newline
      c.pending.clear();
      return false;
    }
    c.pending.append(buf, static_cast<std::size_t>(n));
    std::size_t at;
    while ((at = c.pending.find('\n')) != std::string::npos) {
      std::string_view line(c.pending.data(), at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++c.lines;
      on_line(line);
      c.pending.erase(0, at + 1);
    }
    if (c.pending.size() > 8192) c.pending.clear();  // longer than any line we parse
  }
  return true;
}

void LanDiscovery::end_child(Child& c) {
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
  if (c.pid > 0) {
    // Not reaped yet, so the pid is still ours even if it has exited.
    ::kill(c.pid, SIGTERM);
    int status = 0;
    pid_t r = 0;
    for (int i = 0; i < 200 && (r = ::waitpid(c.pid, &status, WNOHANG)) == 0; ++i) ::usleep(10000);
    if (r == 0) {
      ::kill(c.pid, SIGKILL);
      ::waitpid(c.pid, &status, 0);
    }
  }
  c = Child{};
}

}  // namespace st::p2p
