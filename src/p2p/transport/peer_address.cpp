#include "p2p/transport/transport.hpp"
#include "util/host_port.hpp"
#include "util/strings.hpp"

namespace st::p2p {

std::optional<PeerAddress> parse_peer_address(std::string_view text) {
  text = util::trim(text);
  auto at = text.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  PeerAddress a;
  auto id = text.substr(0, at);
  if (!crypto::parse_node_id(id)) return std::nullopt;
  a.node_id = std::string(id);
  for (auto& c : a.node_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto hp = util::parse_host_port(text.substr(at + 1));
  if (!hp) return std::nullopt;
  a.host = std::move(hp->host);
  a.port = hp->port;
  return a;
}

std::string format_peer_address(const PeerAddress& a) {
  return a.node_id + "@" + util::format_host_port(a.host, a.port);
}

}  // namespace st::p2p
