#include "app/leadership.hpp"

#include <spdlog/spdlog.h>

namespace st::app {

Leadership::Leadership(model::ClusterLocks* locks, std::chrono::milliseconds check, std::function<void(bool)> on_change)
    : locks_(locks), check_(check), on_change_(std::move(on_change)) {}

Leadership::~Leadership() { stop(); }

void Leadership::set(bool leading) {
  if (leader_.load() == leading) return;
  leader_.store(leading);
  if (locks_) {
    if (leading) spdlog::info("cluster: this node ({}) leads: background work runs here", locks_->node_name());
    else spdlog::warn("cluster: this node ({}) no longer leads: its background work stops", locks_->node_name());
  }
  if (on_change_) on_change_(leading);
}

void Leadership::check_once() {
  if (!locks_) {
    set(true);
    return;
  }
  if (lease_) {
    if (lease_->alive()) return;
    lease_.reset();
    set(false);
    return;
  }
  lease_ = locks_->try_take("leader");
  if (lease_) set(true);
}

void Leadership::start() {
  check_once();
  if (!locks_) return;  // one node: nothing can change
  thread_ = std::thread([this] {
    std::unique_lock l(mu_);
    while (!cv_.wait_for(l, check_, [this] { return stopping_; })) {
      l.unlock();
      check_once();
      l.lock();
    }
  });
}

void Leadership::stop() {
  {
    std::lock_guard l(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  set(false);
  lease_.reset();
}

}  // namespace st::app
