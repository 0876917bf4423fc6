// PCP MAP over a connected UDP socket: the kernel then drops datagrams from anyone but the gateway's
// port 5351 and turns an ICMP "port unreachable" into ECONNREFUSED, so a router without PCP is known
// at once instead of after the timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "p2p/portmap/attempt.hpp"
#include "p2p/portmap/gateway.hpp"
#include "p2p/portmap/pcp_codec.hpp"
#include "util/random.hpp"

namespace st::p2p::portmap::detail {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

std::int64_t mono_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// One request/answer exchange with retransmissions (250 ms, doubling) until the options' timeout.
Attempt exchange(const PortMapOptions& o, const std::string& gateway, PcpMapRequest& req, PcpMapResponse& resp,
                 std::string& internal_ip) {
  Attempt a;
  auto gw = parse_ipv4(gateway);
  if (!gw) return a.why = fmt::format("'{}' is not an IPv4 gateway address", gateway), a;
  std::uint16_t port = o.server_port ? o.server_port : kPcpServerPort;
  Fd s;
  s.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s.fd < 0) return a.why = fmt::format("cannot open a UDP socket: {}", std::strerror(errno)), a;
  if (!o.internal_address.empty()) {
    auto me = parse_ipv4(o.internal_address);
    if (!me) return a.why = fmt::format("'{}' is not an IPv4 address", o.internal_address), a;
    sockaddr_in b{};
    b.sin_family = AF_INET;
    b.sin_addr.s_addr = htonl(*me);
    if (bind(s.fd, reinterpret_cast<sockaddr*>(&b), sizeof b) != 0)
      return a.why = fmt::format("cannot use the address {}: {}", o.internal_address, std::strerror(errno)), a;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(*gw);
  if (connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    return a.why = fmt::format("no route to the router {}: {}", gateway, std::strerror(errno)), a;
  sockaddr_in me{};
  socklen_t len = sizeof me;
  if (getsockname(s.fd, reinterpret_cast<sockaddr*>(&me), &len) != 0)
    return a.why = fmt::format("cannot read our own address: {}", std::strerror(errno)), a;
  internal_ip = format_ipv4(ntohl(me.sin_addr.s_addr));
  req.client_ip = ipv4_mapped(ntohl(me.sin_addr.s_addr));  // must equal the source, or ADDRESS_MISMATCH
  const std::string packet = encode_pcp_map_request(req);

  auto now = Clock::now();
  const auto deadline = now + o.timeout;
  auto next_send = now;
  milliseconds gap{250};
  std::string last_ignored;
  char buf[kPcpMaxMessage + 4];
  for (;;) {
    now = Clock::now();
    if (now >= next_send) {
      if (send(s.fd, packet.data(), packet.size(), 0) < 0 && errno != EAGAIN) {
        if (errno == ECONNREFUSED)
          return a.why = fmt::format("nothing answers PCP at {}:{} (port unreachable)", gateway, port), a;
        return a.why = fmt::format("cannot send to the router {}: {}", gateway, std::strerror(errno)), a;
      }
      next_send = now + gap;
      gap *= 2;
    }
    if (now >= deadline) break;
    auto wait = std::min(next_send, deadline) - now;
    pollfd p{s.fd, POLLIN, 0};
    int ms = static_cast<int>(std::chrono::duration_cast<milliseconds>(wait).count()) + 1;
    if (poll(&p, 1, ms) <= 0) continue;
    ssize_t n = recv(s.fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == ECONNREFUSED)
        return a.why = fmt::format("nothing answers PCP at {}:{} (port unreachable)", gateway, port), a;
      continue;
    }
    PcpMapResponse r;
    auto check = check_pcp_response(std::string_view(buf, static_cast<std::size_t>(n)), req, &r);
    switch (check.verdict) {
      case PcpVerdict::ignore:
        last_ignored = check.why;  // a stranger or garbage: keep waiting for the router
        continue;
      case PcpVerdict::natpmp_only:
      case PcpVerdict::refused:
        a.answered = true;
        a.why = check.why;
        return a;
      case PcpVerdict::mapped:
        a.answered = true;
        resp = r;
        return a;
    }
  }
  a.why = fmt::format("no PCP answer from {}:{} within {} ms", gateway, port, o.timeout.count());
  if (!last_ignored.empty()) a.why += " (ignored: " + last_ignored + ")";
  return a;
}

}  // namespace

Attempt pcp_map(const PortMapOptions& o, const Mapping* renew) {
  Attempt a;
  std::string gateway = renew ? renew->gateway : gateway_for(o, a.why);
  if (gateway.empty()) return a;
  PcpMapRequest req;
  req.lifetime = static_cast<std::uint32_t>(std::max<std::int64_t>(1, o.lifetime.count()));
  req.protocol = kIpProtocolTcp;
  req.internal_port = o.internal_port;
  req.external_port = o.external_port ? o.external_port : o.internal_port;
  req.external_ip = ipv4_mapped(0);
  if (renew) {
    req.nonce = renew->nonce;  // same nonce: the router refreshes the mapping instead of making another
    req.external_port = renew->external_port;
    if (auto ip = parse_ipv4(renew->external_ip)) req.external_ip = ipv4_mapped(*ip);
  } else {
    try {
      util::random_bytes(req.nonce.data(), req.nonce.size());
    } catch (const std::exception& e) {
      return a.why = std::string("no random bytes for the PCP nonce: ") + e.what(), a;
    }
  }
  PcpMapResponse resp;
  std::string internal_ip;
  Attempt x = exchange(o, gateway, req, resp, internal_ip);
  if (!x.answered || !x.why.empty()) return x;
  auto now = Clock::now();
  if (renew && renew->epoch != 0 &&
      !pcp_epoch_valid(renew->epoch, mono_seconds(renew->answered_at), resp.epoch, mono_seconds(now)))
    spdlog::info("port mapping: the router's PCP epoch went back (it restarted); the mapping was re-created");
  Mapping m;
  m.protocol = "pcp";
  m.external_ip = format_ipv4(*mapped_ipv4(resp.external_ip));
  m.external_port = resp.external_port;
  m.lifetime = std::chrono::seconds(resp.lifetime);
  m.gateway = gateway;
  m.internal_ip = internal_ip;
  m.internal_port = o.internal_port;
  m.nonce = req.nonce;
  m.epoch = resp.epoch;
  m.answered_at = now;
  x.mapping = std::move(m);
  return x;
}

bool pcp_unmap(const Mapping& m, const PortMapOptions& o) {
  PcpMapRequest req;
  req.lifetime = 0;
  req.nonce = m.nonce;
  req.protocol = kIpProtocolTcp;
  req.internal_port = m.internal_port;
  req.external_port = m.external_port;
  req.external_ip = ipv4_mapped(parse_ipv4(m.external_ip).value_or(0));
  PcpMapResponse resp;
  std::string internal_ip;
  PortMapOptions opts = o;
  if (opts.internal_address.empty()) opts.internal_address = m.internal_ip;
  Attempt x = exchange(opts, m.gateway, req, resp, internal_ip);
  if (!x.answered || !x.why.empty()) {
    spdlog::info("port mapping: removing the PCP mapping failed: {}", x.why);
    return false;
  }
  return true;
}

}  // namespace st::p2p::portmap::detail
