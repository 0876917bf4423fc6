// LAN discovery on the node: announcements heard on the LAN (or mDNS services) propose peers, which the
// maintenance loop pings like peers learned through peer exchange; policy first (block list, friends).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "p2p/node.hpp"

namespace st::p2p {

void Node::start_lan() {
  try {
    lan_ = std::make_unique<LanDiscovery>(identity_, port(), opts_.lan,
                                          [this](const std::string& node, const std::string& address, LanVia via) {
                                            lan_heard(node, address, via);
                                          });
  } catch (const std::exception& e) {
    spdlog::error("p2p: {}; LAN discovery is off", e.what());
  }
}

void Node::lan_heard(const std::string& node, const std::string& address, LanVia via) {
  if (node == node_id() || !allowed(node)) return;
  try {
    if (auto known = repo_.find_peer(node)) {
      // Known: a peer we lost track of may have moved; one that is online keeps its address.
      if (!known->is_online && known->address != address) {
        repo_.add_peer(node, address);
        want_contact(node);
      }
      return;
    }
  } catch (const std::exception& e) {
    spdlog::warn("p2p: LAN peer {} not checked: {}", node.substr(0, 8), e.what());
    return;
  }
  spdlog::info("p2p: heard {} on the LAN at {} ({})", node.substr(0, 8), address,
               via == LanVia::mdns ? "mDNS, through Avahi" : "multicast announcement");
  std::lock_guard l(mu_);
  auto it = to_verify_.find(node);
  if (it == to_verify_.end()) {
    if (to_verify_.size() < 256) to_verify_[node] = SignedPeerRecord{node, {address}, 0, {}};
  } else if (auto& known = it->second.addresses; it->second.signature.empty() && known.size() < 8 &&
             std::find(known.begin(), known.end(), address) == known.end()) {
    known.push_back(address);  // a LAN sighting (mDNS names a host once per interface): each address is tried
  }
}

}  // namespace st::p2p
