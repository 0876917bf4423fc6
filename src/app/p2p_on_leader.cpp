#include "app/p2p_on_leader.hpp"

#include <spdlog/spdlog.h>

#include "model/errors.hpp"

namespace st::app {

P2pOnLeader::P2pOnLeader(std::function<std::unique_ptr<p2p::Node>()> make, std::function<void(p2p::Node&)> configure)
    : make_(std::move(make)), configure_(std::move(configure)) {}

P2pOnLeader::~P2pOnLeader() { lead(false); }

void P2pOnLeader::lead(bool leading) {
  std::lock_guard change(change_mu_);
  std::shared_ptr<p2p::Node> old;
  {
    std::lock_guard l(mu_);
    if (leading == static_cast<bool>(node_)) return;
    old = std::move(node_);
  }
  if (old) {
    old->stop();  // requests still holding it finish with the node's own errors
    return;
  }
  try {
    std::shared_ptr<p2p::Node> n = make_();
    if (configure_) configure_(*n);
    std::lock_guard l(mu_);
    node_ = std::move(n);
  } catch (const std::exception& e) {
    spdlog::error("p2p: the node cannot start: {}", e.what());
  }
}

void P2pOnLeader::reconfigure() {
  std::shared_ptr<p2p::Node> n;
  {
    std::lock_guard l(mu_);
    n = node_;
  }
  if (n && configure_) configure_(*n);
}

std::shared_ptr<p2p::Node> P2pOnLeader::running() {
  std::lock_guard l(mu_);
  return node_;
}

std::shared_ptr<p2p::Node> P2pOnLeader::node() {
  std::lock_guard l(mu_);
  if (!node_)
    throw model::DomainError(model::ErrorKind::unavailable,
                             "The P2P node runs on another node of this cluster (the leader, see /api/admin/cluster)", 5);
  return node_;
}

library::P2pStatus P2pOnLeader::status() { return node()->status(); }
std::vector<model::PeerRecord> P2pOnLeader::peers() { return node()->peers(); }
library::PeerReach P2pOnLeader::peer_reach(std::string_view id) { return node()->peer_reach(id); }
model::PeerRecord P2pOnLeader::add_peer(std::string_view id, std::string_view address) {
  return node()->add_peer(id, address);
}
bool P2pOnLeader::remove_peer(std::string_view id) { return node()->remove_peer(id); }
library::P2pPingResult P2pOnLeader::ping(std::string_view id) { return node()->ping(id); }
std::vector<library::P2pSearchHit> P2pOnLeader::search(std::string_view q, std::size_t limit) {
  return node()->search(q, limit);
}
std::int64_t P2pOnLeader::remote_track_count(std::string_view id) { return node()->remote_track_count(id); }
std::string P2pOnLeader::materialize(std::string_view hash, std::chrono::milliseconds max_wait) {
  if (auto n = running()) return n->materialize(hash, max_wait);
  if (through_leader_) return through_leader_(hash);
  return node()->materialize(hash, max_wait);  // throws: another node runs it
}
std::unique_ptr<library::ProgressiveBlob> P2pOnLeader::open_progressive(std::string_view hash) {
  if (auto n = running()) return n->open_progressive(hash);
  if (through_leader_) return nullptr;  // the whole file, through the leader
  return node()->open_progressive(hash);
}
std::vector<library::DeviceSyncResult> P2pOnLeader::sync_devices(std::string_view user) {
  return node()->sync_devices(user);
}
void P2pOnLeader::start_resync(std::string_view id) { node()->start_resync(id); }
library::P2pResyncStatus P2pOnLeader::resync_status() { return node()->resync_status(); }
void P2pOnLeader::dismiss_resync() { node()->dismiss_resync(); }

}  // namespace st::app
