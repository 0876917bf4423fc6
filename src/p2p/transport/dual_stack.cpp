#include "p2p/transport/dual_stack.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <spdlog/spdlog.h>

namespace st::p2p {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

void listen_on(tcp::acceptor& acceptor, const tcp::endpoint& ep, bool dual) {
  acceptor.open(ep.protocol());
  if (dual) acceptor.set_option(asio::ip::v6_only(false));
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen();
}

}  // namespace

void listen_dual_stack(tcp::acceptor& acceptor, const std::string& host, std::uint16_t port) {
  bool any = host.empty() || host == "0.0.0.0" || host == "::";
  if (!any) return listen_on(acceptor, tcp::endpoint(asio::ip::make_address(host), port), false);
  try {
    listen_on(acceptor, tcp::endpoint(tcp::v6(), port), true);
    return;
  } catch (const std::exception& e) {
    // No IPv6 here (ipv6.disable=1, or disable_ipv6 on every interface): IPv4 alone still works.
    boost::system::error_code ignored;
    acceptor.close(ignored);
    spdlog::info("p2p: no IPv6 listener ({}); listening on IPv4 only", e.what());
  }
  listen_on(acceptor, tcp::endpoint(tcp::v4(), port), false);
}

std::string ip_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  if (a.is_v6()) {
    auto v6 = a.to_v6();
    v6.scope_id(0);  // a scope id means nothing to anyone else
    return v6.to_string();
  }
  return a.to_string();
}

bool ipv6_available() {
  asio::io_context io;
  tcp::acceptor probe(io);
  boost::system::error_code ec;
  probe.open(tcp::v6(), ec);
  if (!ec) probe.bind(tcp::endpoint(asio::ip::address_v6::loopback(), 0), ec);
  return !ec;
}

}  // namespace st::p2p
