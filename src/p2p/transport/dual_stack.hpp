#pragma once
// Listening on IPv6 and IPv4 with one socket (POSIX, so no Asio in this header: the transport adopts the
// descriptor).
#include <cstdint>
#include <string>

namespace st::p2p {

struct ListenSocket {
  int fd = -1;
  bool v6 = false;  // an AF_INET6 socket (taking IPv4 too when it was bound to "any")
};

// A listening TCP socket on host:port. "0.0.0.0", "::" and "" mean every address: an IPv6 socket with
// IPV6_V6ONLY off, which takes IPv4 too (as IPv4-mapped addresses), or an IPv4 one where the host has no
// IPv6 (disabled in the kernel or by sysctl). Any other host (an IP literal) is bound as given. Throws
// std::system_error (or std::invalid_argument for a host that is not an IP literal).
ListenSocket listen_dual_stack(const std::string& host, std::uint16_t port);
// Whether this host can use IPv6 at all (an AF_INET6 socket can be created and bound to ::1).
bool ipv6_available();

}  // namespace st::p2p
