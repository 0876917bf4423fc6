#pragma once
// Which node of a cluster does the background work (scheduled and watched scans, enrichment, waveform
// backfill, editorial playlists, scrobble delivery, the directory heartbeat, session clean-up, the P2P
// node): the one holding the leader lock. Every node tries to take it every `check` interval, so the work
// moves to another node within about that long after the leader dies; a leader whose lock session fails
// steps down at once. Without cluster locks (SQLite: one node) this node is always the leader.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "model/cluster_locks.hpp"

namespace st::app {

class Leadership {
 public:
  // on_change(true) when this node becomes the leader, on_change(false) when it stops being one; called
  // from start() (the first attempt) and then from the checking thread, never at once.
  Leadership(model::ClusterLocks* locks, std::chrono::milliseconds check, std::function<void(bool)> on_change);
  ~Leadership();
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  // Tries once now (so a lone node starts its work at once), then keeps checking in the background.
  void start();
  // Steps down (on_change(false) if leading) and stops checking.
  void stop();
  bool leader() const noexcept { return leader_.load(); }
  // The predicate background services check before each piece of work.
  std::function<bool()> on_duty() const {
    return [this] { return leader(); };
  }

 private:
  void check_once();
  void set(bool leading);

  model::ClusterLocks* locks_;
  std::chrono::milliseconds check_;
  std::function<void(bool)> on_change_;
  std::unique_ptr<model::ClusterLease> lease_;
  std::atomic<bool> leader_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace st::app
