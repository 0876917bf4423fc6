// What arrives from the LAN and from peer exchange without a link to vouch for it: multicast
// announcements (checked against a fixed clock), Avahi browse lines, and PeerExchange messages whose
// signed records are checked. Nothing may crash; an accepted announcement must name a valid NodeId.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/identity.hpp"
#include "p2p/lan_discovery.hpp"
#include "p2p/peer_exchange.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto a = st::p2p::decode_lan_announcement(in, 1795000000, &why)) {
    if (!st::crypto::parse_node_id(a->node_id) || a->port == 0) std::abort();
  }
  (void)st::p2p::parse_avahi_browse_line(in);
  (void)st::p2p::parse_lan_group(in);
  auto d = st::p2p::decode_message(in);
  if (d.message)
    if (auto* px = std::get_if<st::p2p::PeerExchange>(&*d.message))
      for (const auto& r : px->records) (void)st::p2p::check_peer_record(r, 1795000000);
  return 0;
}
