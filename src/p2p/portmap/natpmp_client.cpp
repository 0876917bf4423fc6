// NAT-PMP through libnatpmp, with the gateway always forced (the library's own gateway lookup is not
// used) and a bounded wait: libnatpmp alone would retransmit for about a minute.
#include <arpa/inet.h>
#include <natpmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "p2p/portmap/attempt.hpp"
#include "p2p/portmap/gateway.hpp"
#include "p2p/portmap/natpmp_codec.hpp"
#include "p2p/portmap/pcp_codec.hpp"

namespace st::p2p::portmap::detail {

namespace {

using Clock = std::chrono::steady_clock;

class NatPmp {
 public:
  NatPmp() { std::memset(&n_, 0, sizeof n_); }
  ~NatPmp() {
    if (open_) closenatpmp(&n_);
  }
  NatPmp(const NatPmp&) = delete;
  NatPmp& operator=(const NatPmp&) = delete;

  // Connects to gateway:port; "" on success, else why.
  std::string open(std::uint32_t gateway, std::uint16_t port) {
    int r = initnatpmp(&n_, 1, htonl(gateway));
    if (r < 0) return fmt::format("libnatpmp could not open its socket ({})", r);
    open_ = true;
    if (port != NATPMP_PORT) {
      // Tests run the router on another port; libnatpmp only checks the answer's source address.
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(port);
      to.sin_addr.s_addr = htonl(gateway);
      if (connect(n_.s, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
        return fmt::format("cannot reach the router: {}", std::strerror(errno));
    }
    return {};
  }

  std::string local_address() const {
    sockaddr_in me{};
    socklen_t len = sizeof me;
    if (getsockname(n_.s, reinterpret_cast<sockaddr*>(&me), &len) != 0) return {};
    return format_ipv4(ntohl(me.sin_addr.s_addr));
  }

  natpmp_t* get() { return &n_; }

  // Waits for the answer to the pending request until `deadline`, letting libnatpmp retransmit.
  // Returns 0, a NATPMP_ERR_* code, or NATPMP_TRYAGAIN on timeout.
  int wait(natpmpresp_t& resp, Clock::time_point deadline) {
    for (;;) {
      int r = readnatpmpresponseorretry(&n_, &resp);
      // A packet from elsewhere, or not NAT-PMP: not the router's answer, keep waiting.
      if (r == NATPMP_ERR_WRONGPACKETSOURCE || r == NATPMP_ERR_UNSUPPORTEDOPCODE) r = NATPMP_TRYAGAIN;
      if (r != NATPMP_TRYAGAIN) return r;
      auto now = Clock::now();
      if (now >= deadline) return NATPMP_TRYAGAIN;
      timeval tv{};
      int ms = 250;
      if (getnatpmprequesttimeout(&n_, &tv) == 0) ms = static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      ms = static_cast<int>(std::clamp<long long>(ms, 1, left + 1));
      pollfd p{n_.s, POLLIN, 0};
      poll(&p, 1, ms);
    }
  }

 private:
  natpmp_t n_;
  bool open_ = false;
};

// NAT-PMP's result codes as libnatpmp returns them, in words.
std::string error_words(int r, const std::string& gateway, std::uint16_t port, bool& answered) {
  answered = true;
  switch (r) {
    case NATPMP_ERR_NOTAUTHORIZED:
      return "the router refused the NAT-PMP mapping: NOT_AUTHORIZED (port forwarding is switched off or this port is forbidden)";
    case NATPMP_ERR_NETWORKFAILURE:
      return "the router refused the NAT-PMP mapping: NETWORK_FAILURE (it has no working internet connection)";
    case NATPMP_ERR_OUTOFRESOURCES:
      return "the router refused the NAT-PMP mapping: OUT_OF_RESOURCES (no room for another mapping)";
    case NATPMP_ERR_UNSUPPORTEDVERSION:
      return "the router does not speak NAT-PMP (it answered with another version)";
    case NATPMP_ERR_UNDEFINEDERROR:
      return "the router refused the NAT-PMP mapping with an unknown result code";
    default:
      break;
  }
  answered = false;
  if (r == NATPMP_TRYAGAIN || r == NATPMP_ERR_NOGATEWAYSUPPORT)
    return fmt::format("no NAT-PMP answer from {}:{}", gateway, port);
  return fmt::format("NAT-PMP failed (libnatpmp error {})", r);
}

}  // namespace

Attempt natpmp_map(const PortMapOptions& o, const Mapping* renew) {
  Attempt a;
  std::string gateway = renew ? renew->gateway : gateway_for(o, a.why);
  if (gateway.empty()) return a;
  auto gw = parse_ipv4(gateway);
  if (!gw) return a.why = fmt::format("'{}' is not an IPv4 gateway address", gateway), a;
  std::uint16_t port = o.server_port ? o.server_port : NATPMP_PORT;
  const auto deadline = Clock::now() + o.timeout;
  NatPmp n;
  if (auto why = n.open(*gw, port); !why.empty()) return a.why = why, a;

  natpmpresp_t resp{};
  int r = sendpublicaddressrequest(n.get());
  if (r < 0) r = r == NATPMP_ERR_SENDERR && errno == ECONNREFUSED ? NATPMP_ERR_NOGATEWAYSUPPORT : r;
  else r = n.wait(resp, deadline);
  if (r < 0) return a.why = error_words(r, gateway, port, a.answered), a;
  if (resp.type != NATPMP_RESPTYPE_PUBLICADDRESS)
    return a.answered = true, a.why = "the router answered NAT-PMP with the wrong message", a;
  std::uint32_t external = ntohl(resp.pnu.publicaddress.addr.s_addr);
  if (external == 0)
    return a.answered = true, a.why = "the router has no external address yet (NAT-PMP says 0.0.0.0)", a;

  std::uint16_t suggested = renew ? renew->external_port : (o.external_port ? o.external_port : o.internal_port);
  auto lifetime = static_cast<std::uint32_t>(std::max<std::int64_t>(1, o.lifetime.count()));
  r = sendnewportmappingrequest(n.get(), NATPMP_PROTOCOL_TCP, o.internal_port, suggested, lifetime);
  if (r >= 0) r = n.wait(resp, deadline);
  if (r < 0) return a.why = error_words(r, gateway, port, a.answered), a;
  a.answered = true;
  if (resp.type != NATPMP_RESPTYPE_TCPPORTMAPPING || resp.pnu.newportmapping.privateport != o.internal_port ||
      resp.pnu.newportmapping.mappedpublicport == 0 || resp.pnu.newportmapping.lifetime == 0)
    return a.why = "the router's NAT-PMP answer does not match our mapping request", a;

  Mapping m;
  m.protocol = "natpmp";
  m.external_ip = format_ipv4(external);
  m.external_port = resp.pnu.newportmapping.mappedpublicport;
  m.lifetime = std::chrono::seconds(resp.pnu.newportmapping.lifetime);
  m.gateway = gateway;
  m.internal_ip = n.local_address();
  m.internal_port = o.internal_port;
  m.epoch = resp.epoch;
  m.answered_at = Clock::now();
  a.mapping = std::move(m);
  return a;
}

bool natpmp_unmap(const Mapping& m, const PortMapOptions& o) {
  auto gw = parse_ipv4(m.gateway);
  if (!gw) return false;
  std::uint16_t port = o.server_port ? o.server_port : NATPMP_PORT;
  NatPmp n;
  if (!n.open(*gw, port).empty()) return false;
  // RFC 6886 §3.4: lifetime 0 and suggested external port 0 delete the mapping of this internal port.
  int r = sendnewportmappingrequest(n.get(), NATPMP_PROTOCOL_TCP, m.internal_port, 0, 0);
  natpmpresp_t resp{};
  if (r >= 0) r = n.wait(resp, Clock::now() + o.timeout);
  if (r < 0) {
    bool answered = false;
    spdlog::info("port mapping: removing the NAT-PMP mapping failed: {}", error_words(r, m.gateway, port, answered));
    return false;
  }
  return resp.type == NATPMP_RESPTYPE_TCPPORTMAPPING && resp.pnu.newportmapping.privateport == m.internal_port;
}

}  // namespace st::p2p::portmap::detail
