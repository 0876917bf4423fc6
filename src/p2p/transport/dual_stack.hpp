#pragma once
// Listening on IPv6 and IPv4 with one socket, and naming the peer on the other end of it. Internal to
// p2p/transport (it names Asio types).
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

namespace st::p2p {

// Binds and listens `acceptor` on host:port. "0.0.0.0", "::" and "" mean every address: an IPv6 socket with
// IPV6_V6ONLY off, which takes IPv4 too (as IPv4-mapped addresses), or an IPv4 one where the host has no
// IPv6 (disabled in the kernel or by sysctl). Any other host is bound as given. Throws on failure.
void listen_dual_stack(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, std::uint16_t port);
// The text of a peer's address: IPv4 as IPv4 even when it reached a dual-stack socket (::ffff:a.b.c.d),
// IPv6 in canonical form without brackets.
std::string ip_text(const boost::asio::ip::address& a);
// Whether this host can use IPv6 at all (an AF_INET6 socket can be created and bound to ::1).
bool ipv6_available();

}  // namespace st::p2p
