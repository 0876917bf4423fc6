#pragma once
// The P2P node of a cluster runs on its leader only (one node opens the P2P port and syncs with peers).
// Routes hold this stand-in: it forwards to the node while this process leads, and answers 503 with the
// reason while another node does, but for replicated tracks' bytes, which a follower gets through the
// leader (through_leader). On one node (SQLite) the node runs from start to stop as before.
#include <functional>
#include <memory>
#include <mutex>

#include "library/p2p_service.hpp"
#include "p2p/node.hpp"

namespace st::app {

class P2pOnLeader final : public library::P2pService {
 public:
  // make builds and starts a node; configure is applied to each node made (its sharing policy).
  P2pOnLeader(std::function<std::unique_ptr<p2p::Node>()> make, std::function<void(p2p::Node&)> configure);
  ~P2pOnLeader() override;

  // Leadership gained: the node starts here; lost: it stops.
  void lead(bool leading);
  // Applies configure() to the running node again (the admin changed the sharing settings).
  void reconfigure();
  // How a follower gets a replica's bytes (a local file) while another node leads. Set before serving.
  void set_through_leader(std::function<std::string(std::string_view content_hash)> f) { through_leader_ = std::move(f); }

  library::P2pStatus status() override;
  std::vector<model::PeerRecord> peers() override;
  library::PeerReach peer_reach(std::string_view node_id) override;
  model::PeerRecord add_peer(std::string_view node_id, std::string_view address) override;
  bool remove_peer(std::string_view node_id) override;
  library::P2pPingResult ping(std::string_view node_id) override;
  std::vector<library::P2pSearchHit> search(std::string_view query, std::size_t limit) override;
  std::int64_t remote_track_count(std::string_view node_id) override;
  std::string materialize(std::string_view content_hash, std::chrono::milliseconds max_wait) override;
  std::unique_ptr<library::ProgressiveBlob> open_progressive(std::string_view content_hash) override;
  std::vector<library::DeviceSyncResult> sync_devices(std::string_view user_id) override;
  void start_resync(std::string_view node_id) override;
  library::P2pResyncStatus resync_status() override;
  void dismiss_resync() override;

 private:
  // The running node; throws model::DomainError (unavailable) when it runs on another node.
  std::shared_ptr<p2p::Node> node();
  std::shared_ptr<p2p::Node> running();  // or nothing

  std::function<std::string(std::string_view)> through_leader_;
  std::function<std::unique_ptr<p2p::Node>()> make_;
  std::function<void(p2p::Node&)> configure_;
  std::mutex change_mu_;  // one lead() at a time
  std::mutex mu_;
  std::shared_ptr<p2p::Node> node_;
};

}  // namespace st::app
