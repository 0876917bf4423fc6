#pragma once
// A router answering PCP and NAT-PMP on 127.0.0.1 (one UDP port for both, as real routers do), with
// the behaviours the tests need: map, refuse, stay silent, speak NAT-PMP only, let a stranger answer
// first. It keeps the mappings it holds so tests can see renewals and removals.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "p2p/portmap/natpmp_codec.hpp"
#include "p2p/portmap/pcp_codec.hpp"

namespace st::p2p::portmap::test {

class FakeRouter {
 public:
  enum class Pcp { map, natpmp_only, refuse, silent, stranger_first };
  struct Config {
    Pcp pcp = Pcp::map;
    std::uint8_t pcp_error = 2;  // for Pcp::refuse
    bool natpmp = true;          // answers NAT-PMP at all
    std::uint16_t natpmp_error = 0;
    std::uint32_t external_ip = 0xC612000F;  // 198.18.0.15
    std::uint32_t grant_lifetime = 0;        // 0 = what was asked
    std::uint16_t assign_port = 0;           // 0 = the suggested port
    std::uint32_t epoch = 1000;
  };
  struct Held {
    std::uint16_t external_port = 0;
    std::uint32_t lifetime = 0;
    PcpNonce nonce{};
  };

  explicit FakeRouter(Config c) : cfg_(c) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeRouter() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::uint16_t port() const { return port_; }
  std::vector<PcpMapRequest> pcp_requests() const {
    std::lock_guard l(mu_);
    return pcp_;
  }
  std::vector<NatPmpRequest> natpmp_requests() const {
    std::lock_guard l(mu_);
    return natpmp_;
  }
  // Internal port -> what the router holds for it.
  std::map<std::uint16_t, Held> mappings() const {
    std::lock_guard l(mu_);
    return held_;
  }

 private:
  void reply(const std::string& out, const sockaddr_in& to) {
    sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }

  void on_pcp(std::string_view in, const sockaddr_in& from) {
    auto req = decode_pcp_map_request(in, nullptr);
    if (!req) return;
    {
      std::lock_guard l(mu_);
      pcp_.push_back(*req);
    }
    if (cfg_.pcp == Pcp::silent) return;
    if (cfg_.pcp == Pcp::natpmp_only) {
      NatPmpResponse r;
      r.opcode = static_cast<std::uint8_t>(in[1]);
      r.result = kNatPmpUnsupportedVersion;
      return reply(encode_natpmp_response(r), from);
    }
    PcpMapResponse r;
    r.has_payload = true;
    r.nonce = req->nonce;
    r.protocol = req->protocol;
    r.internal_port = req->internal_port;
    r.epoch = cfg_.epoch++;
    if (cfg_.pcp == Pcp::refuse) {
      r.result = cfg_.pcp_error;
      r.lifetime = 30;
      return reply(encode_pcp_map_response(r), from);
    }
    if (cfg_.pcp == Pcp::stranger_first) {
      PcpMapResponse bad = r;
      bad.nonce[0] ^= 1;  // another mapping's answer
      bad.external_port = 1;
      bad.lifetime = 60;
      bad.external_ip = ipv4_mapped(0x01020304);
      reply(encode_pcp_map_response(bad), from);
      std::string wrong_op = encode_pcp_map_response(bad);
      wrong_op[1] = static_cast<char>(0x82);
      reply(wrong_op, from);
      reply(std::string("\x02\x81\x00", 3), from);
      reply(std::string(64, '\xff'), from);
    }
    std::lock_guard l(mu_);
    if (req->lifetime == 0) {
      auto it = held_.find(req->internal_port);
      if (it != held_.end() && it->second.nonce != req->nonce) {
        r.result = static_cast<std::uint8_t>(PcpResult::not_authorized);
      } else {
        held_.erase(req->internal_port);
      }
      r.external_port = req->external_port;
      r.external_ip = req->external_ip;
      return reply(encode_pcp_map_response(r), from);
    }
    Held h;
    h.nonce = req->nonce;
    h.external_port = cfg_.assign_port ? cfg_.assign_port : req->external_port;
    h.lifetime = cfg_.grant_lifetime ? cfg_.grant_lifetime : req->lifetime;
    held_[req->internal_port] = h;
    r.lifetime = h.lifetime;
    r.external_port = h.external_port;
    r.external_ip = ipv4_mapped(cfg_.external_ip);
    reply(encode_pcp_map_response(r), from);
  }

  void on_natpmp(std::string_view in, const sockaddr_in& from) {
    auto req = decode_natpmp_request(in, nullptr);
    if (!req) return;
    {
      std::lock_guard l(mu_);
      natpmp_.push_back(*req);
    }
    if (!cfg_.natpmp) return;
    NatPmpResponse r;
    r.opcode = req->opcode;
    r.epoch = cfg_.epoch++;
    r.result = cfg_.natpmp_error;
    if (r.result != 0) {
      std::string out = encode_natpmp_response(r);
      return reply(out, from);
    }
    if (req->opcode == kNatPmpOpPublicAddress) {
      r.public_ip = cfg_.external_ip;
      return reply(encode_natpmp_response(r), from);
    }
    std::lock_guard l(mu_);
    r.internal_port = req->internal_port;
    if (req->lifetime == 0) {
      held_.erase(req->internal_port);
    } else {
      Held h;
      h.external_port = cfg_.assign_port ? cfg_.assign_port : req->external_port;
      h.lifetime = cfg_.grant_lifetime ? cfg_.grant_lifetime : req->lifetime;
      held_[req->internal_port] = h;
      r.external_port = h.external_port;
      r.lifetime = h.lifetime;
    }
    reply(encode_natpmp_response(r), from);
  }

  void run() {
    char buf[2048];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 2) continue;
      std::string_view in(buf, static_cast<std::size_t>(n));
      if (in[0] == 2) on_pcp(in, from);
      else if (in[0] == 0) on_natpmp(in, from);
    }
  }

  Config cfg_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<PcpMapRequest> pcp_;
  std::vector<NatPmpRequest> natpmp_;
  std::map<std::uint16_t, Held> held_;
};

// A UDP port on 127.0.0.1 where nothing listens (the kernel answers "port unreachable").
inline std::uint16_t closed_udp_port() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A TCP port on 127.0.0.1 where nothing listens (for a UPnP root URL that cannot answer).
inline std::uint16_t closed_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace st::p2p::portmap::test
