// The administrator's library re-sync with one peer (the original's library_sync task): ping, push our
// whole catalogue, pull the peer's again from the start, report progress; one at a time, in the background.
#include <spdlog/spdlog.h>

#include "model/errors.hpp"
#include "p2p/node.hpp"

namespace st::p2p {

void Node::set_resync(const std::function<void(library::P2pResyncStatus&)>& f) {
  std::lock_guard l(resync_mu_);
  f(resync_);
}

void Node::start_resync(std::string_view node_view) {
  std::string node(node_view);
  if (!repo_.find_peer(node)) model::throw_not_found("Peer not found in registry");
  if (!allowed(node)) model::throw_conflict("This peer is blocked or not a friend");
  std::lock_guard l(resync_mu_);
  if (resync_.status == "running") model::throw_conflict("A library sync is already running");
  {
    std::lock_guard g(mu_);
    if (stopping_) throw model::DomainError(model::ErrorKind::unavailable, "P2P node is stopping");
  }
  if (resync_thread_.joinable()) resync_thread_.join();  // the previous run has finished (not running)
  resync_ = library::P2pResyncStatus{};
  resync_.status = "running";
  resync_.peer_id = node;
  resync_.phase = "Connecting to peer...";
  resync_thread_ = std::thread([this, node] { run_resync(node); });
}

library::P2pResyncStatus Node::resync_status() {
  std::lock_guard l(resync_mu_);
  return resync_;
}

void Node::dismiss_resync() {
  std::lock_guard l(resync_mu_);
  if (resync_.status == "running") model::throw_conflict("A library sync is running");
  resync_ = library::P2pResyncStatus{};
}

void Node::run_resync(const std::string& node) {
  auto started = std::chrono::steady_clock::now();
  auto stopping = [this] {
    std::lock_guard l(mu_);
    return stopping_;
  };
  try {
    spdlog::info("p2p: library re-sync with {} started", node.substr(0, 8));
    set_resync([](auto& s) { s.phase = "Pinging peer..."; });
    auto pong = ping_peer(node);
    repo_.peer_seen(node, pong.version, static_cast<std::int64_t>(pong.track_count), std::nullopt);
    auto total = static_cast<std::int64_t>(pong.track_count);
    set_resync([total](auto& s) {
      s.phase = "Sending our catalog to peer...";
      s.total = total;
    });
    // Our whole catalogue as pushed pages (the peer applies them idempotently).
    std::uint64_t cursor = 0;
    std::int64_t sent = 0;
    DecodeLimits lim;
    lim.max_bytes = opts_.limits.max_frame;
    for (int pages = 0; pages < 100000 && !stopping(); ++pages) {
      auto reply = answer_catalog(RequestCatalog{cursor, 500});
      auto d = decode_message(reply.payload, lim);
      auto* delta = d.message ? std::get_if<CatalogDelta>(&*d.message) : nullptr;
      if (!delta) throw std::runtime_error("cannot page our own catalogue");
      if (!delta->tracks.empty() || !delta->removed.empty()) {
        auto r = call_raw(node, reply.payload);
        if (r.kind == ReplyKind::error) throw std::runtime_error("the peer refused our catalogue");
        sent += static_cast<std::int64_t>(delta->tracks.size());
      }
      if (!delta->has_more || delta->next_cursor <= cursor) break;
      cursor = delta->next_cursor;
    }
    spdlog::info("p2p: library re-sync sent {} tracks to {}", sent, node.substr(0, 8));
    set_resync([](auto& s) { s.phase = "Requesting peer's catalog..."; });
    // Its catalogue again from the start: whatever we missed or lost comes back.
    {
      std::lock_guard pull(sync_mu_);
      repo_.set_sync_cursor(node, 0);
      pull_catalog(node);
    }
    auto synced = repo_.remote_track_count(node);
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    set_resync([synced, secs](auto& s) {
      s.status = "completed";
      s.phase.clear();
      s.processed = synced;
      s.tracks_synced = synced;
      s.duration_secs = secs;
    });
    spdlog::info("p2p: library re-sync with {} completed: {} tracks in {:.1f} s", node.substr(0, 8), synced, secs);
  } catch (const std::exception& e) {
    repo_.peer_failed(node);
    auto message = "Library re-sync with " + node + " failed: " + e.what();
    set_resync([&message](auto& s) {
      s.status = "error";
      s.phase.clear();
      s.message = message;
    });
    spdlog::warn("p2p: {}", message.substr(0, 500));
  }
}

}  // namespace st::p2p
