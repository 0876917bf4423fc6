// The Scrobbler's delivery side: one background thread drains the persistent queue.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "scrobble/rules.hpp"
#include "scrobble/scrobbler.hpp"
#include "util/time.hpp"

namespace st::scrobble {

Scrobbler::~Scrobbler() noexcept {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scrobbler::start(std::function<bool()> on_duty) {
  if (thread_.joinable()) return;
  on_duty_ = std::move(on_duty);
  thread_ = std::thread([this] { run(); });
}

void Scrobbler::wake() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

void Scrobbler::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    pending_ = false;
    lock.unlock();
    // options_.idle_look at most between looks, so that a database outage or a clock change cannot stall it.
    auto wait = std::chrono::microseconds(options_.idle_look);
    try {
      while ((!on_duty_ || on_duty_()) && deliver_due(util::now_micros()) >= options_.batch) {
      }
      if (auto next = queue_.next_due())
        wait = std::clamp(std::chrono::microseconds(*next - util::now_micros()), std::chrono::microseconds(0), wait);
    } catch (const std::exception& e) {
      spdlog::warn("scrobble deliveries: {}", e.what());
    }
    lock.lock();
    cv_.wait_for(lock, wait, [this] { return stop_ || pending_; });
  }
}

std::size_t Scrobbler::deliver_due(util::Micros now) {
  auto items = queue_.due(now, options_.batch);
  std::set<std::string> down;  // services that asked us to come back later, in this pass
  std::size_t attempted = 0;
  for (const auto& item : items) {
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
    }
    auto late = now + std::chrono::duration_cast<std::chrono::microseconds>(
                          retry_delay(item.attempts + 1, options_.retry_base, options_.retry_cap))
                          .count();
    // A now-playing notice is worth sending only while the track may still be playing.
    bool stale = item.kind == "now_playing" &&
                 now > item.listened_at + static_cast<util::Micros>(std::max(item.duration_secs, 30.0) * 1e6);
    if (stale) {
      queue_.remove(item.id);
      continue;
    }
    if (down.count(item.service)) {
      queue_.reschedule(item.id, item.attempts, late);
      continue;
    }
    auto secret = credential(item.user_id, item.service);
    if (!secret) {  // disconnected or disabled since it was queued
      queue_.remove(item.id);
      continue;
    }
    ++attempted;
    auto d = item.service == "lastfm" ? lastfm_.deliver(*secret, item) : listenbrainz_.deliver(*secret, item);
    switch (d.outcome) {
      case Outcome::delivered:
        queue_.remove(item.id);
        spdlog::debug("{} {} delivered for user {}", item.service, item.kind, item.user_id);
        break;
      case Outcome::retry:
        down.insert(item.service);
        queue_.reschedule(item.id, item.attempts + 1, late);
        spdlog::info("{} unavailable ({}): retrying in {} s", item.service, d.detail, (late - now) / 1'000'000);
        break;
      case Outcome::invalid_credentials:
        spdlog::warn("{} refused the credentials of user {} ({}): disconnected", item.service, item.user_id, d.detail);
        if (item.service == "lastfm") lastfm_disconnect(item.user_id);
        else listenbrainz_disconnect(item.user_id);
        break;
      case Outcome::rejected:
        queue_.remove(item.id);
        spdlog::warn("{} refused a {} of user {} ({}): dropped", item.service, item.kind, item.user_id, d.detail);
        break;
    }
  }
  return items.size();
}

}  // namespace st::scrobble
