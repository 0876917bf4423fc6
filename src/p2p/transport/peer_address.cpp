#include "p2p/transport/transport.hpp"
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
  auto rest = text.substr(at + 1);
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') return std::nullopt;
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  auto p = util::parse_int(port);
  if (host.empty() || host.size() > 253 || !p || *p < 1 || *p > 65535) return std::nullopt;
  for (char c : host)
    if (c <= ' ' || c == '/' || c == '@') return std::nullopt;
  a.host = std::string(host);
  a.port = static_cast<std::uint16_t>(*p);
  return a;
}

std::string format_peer_address(const PeerAddress& a) {
  bool v6 = a.host.find(':') != std::string::npos;
  return a.node_id + "@" + (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

}  // namespace st::p2p
