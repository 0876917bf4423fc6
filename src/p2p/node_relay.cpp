// pkarr relays (pkarr design/relays.md): the same signed packet as on the DHT, over HTTP, for networks that
// block UDP. PUT /<z-base-32 key> with sig ‖ timestamp ‖ packet; GET answers the same bytes. A relay is
// trusted for nothing: what it answers is checked like a DHT answer (key, signature, size).
#include <spdlog/spdlog.h>

#include "p2p/dht/pkarr.hpp"
#include "p2p/dht/z_base32.hpp"
#include "p2p/node.hpp"

namespace st::p2p {

namespace {

constexpr std::size_t kMaxRelayBody = 64 + 8 + 1000;  // a relay answers 413 beyond this too

std::string url_of(const std::string& relay, const crypto::Ed25519Public& key) {
  auto base = relay;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + dht::z32_encode(key);
}

}  // namespace

std::size_t Node::put_on_relays(const std::string& body) {
  if (!opts_.reach.http) return 0;
  std::size_t ok = 0;
  for (const auto& relay : opts_.reach.pkarr_relays) {
    try {
      auto a = opts_.reach.http("PUT", url_of(relay, identity_.public_key()), body);
      if (a.status >= 200 && a.status < 300) ++ok;
      else spdlog::info("p2p: pkarr relay {} refused our record: HTTP {}", relay, a.status);
    } catch (const std::exception& e) {
      spdlog::info("p2p: pkarr relay {} unreachable: {}", relay, e.what());
    }
  }
  return ok;
}

std::optional<std::string> Node::get_from_relays(const std::string& node) {
  if (!opts_.reach.http) return std::nullopt;
  auto key = dht::key_of_node_id(node);
  if (!key) return std::nullopt;
  std::optional<dht::SignedPacket> best;
  for (const auto& relay : opts_.reach.pkarr_relays) {
    try {
      auto a = opts_.reach.http("GET", url_of(relay, *key), "");
      if (a.status != 200) continue;
      std::string why;
      if (a.body.size() > kMaxRelayBody) why = "too large";
      auto p = why.empty() ? dht::parse_relay_body(*key, a.body, why) : std::nullopt;
      if (p && (why = dht::check_packet(*p)).empty()) {
        if (!best || p->timestamp_us > best->timestamp_us) best = std::move(p);
      } else {
        ++dht_rejected_;
        spdlog::info("p2p: pkarr relay {} answered a bad record for {}: {}", relay, node.substr(0, 8), why);
      }
    } catch (const std::exception& e) {
      spdlog::info("p2p: pkarr relay {} unreachable: {}", relay, e.what());
    }
  }
  if (!best) return std::nullopt;
  return best->dns;
}

}  // namespace st::p2p
