#include "p2p/transport/dual_stack.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <spdlog/spdlog.h>

namespace st::p2p {

namespace {

constexpr int kBacklog = SOMAXCONN;

// Opens, binds and listens; the descriptor, or -1 with errno set.
int listen_on(const sockaddr* addr, socklen_t len, bool dual) {
  int fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1, zero = 0;
  bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            (!dual || ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) == 0) &&
            ::bind(fd, addr, len) == 0 && ::listen(fd, kBacklog) == 0;
  if (ok) return fd;
  int e = errno;
  ::close(fd);
  errno = e;
  return -1;
}

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

ListenSocket listen_dual_stack(const std::string& host, std::uint16_t port) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  bool any = host.empty() || host == "0.0.0.0" || host == "::";
  if (!any) {
    if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
      int fd = listen_on(reinterpret_cast<sockaddr*>(&v4), sizeof v4, false);
      if (fd < 0) fail("listen");
      return {fd, false};
    }
    if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
      int fd = listen_on(reinterpret_cast<sockaddr*>(&v6), sizeof v6, false);
      if (fd < 0) fail("listen");
      return {fd, true};
    }
    throw std::invalid_argument("not an IP address: " + host);
  }
  v6.sin6_addr = in6addr_any;
  int fd = listen_on(reinterpret_cast<sockaddr*>(&v6), sizeof v6, true);
  if (fd >= 0) return {fd, true};
  // No IPv6 here (ipv6.disable=1): IPv4 alone still works. (A port taken fails again below, with its reason.)
  spdlog::info("p2p: no IPv6 listener ({}); listening on IPv4 only", std::strerror(errno));
  v4.sin_addr.s_addr = htonl(INADDR_ANY);
  fd = listen_on(reinterpret_cast<sockaddr*>(&v4), sizeof v4, false);
  if (fd < 0) fail("listen");
  return {fd, false};
}

bool ipv6_available() {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace st::p2p
