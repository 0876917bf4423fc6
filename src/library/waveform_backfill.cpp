#include "library/waveform_backfill.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace st::library {

WaveformBackfill::WaveformBackfill(model::CatalogRepository& catalog, std::function<void(const model::Track&)> compute,
                                   std::chrono::seconds first_delay, std::chrono::seconds period,
                                   std::function<bool()> on_duty)
    : catalog_(catalog), compute_(std::move(compute)), on_duty_(std::move(on_duty)), first_delay_(first_delay),
      period_(period) {
  thread_ = std::thread([this] { run(); });
}

WaveformBackfill::~WaveformBackfill() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WaveformBackfill::kick() {
  {
    std::lock_guard l(mu_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void WaveformBackfill::run() {
  // Decoding is background work: the lowest priority for this thread only (Linux threads have their own).
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  std::unique_lock l(mu_);
  auto wait = first_delay_;
  while (!cv_.wait_for(l, wait, [this] { return stopping_ || kicked_; }) || !stopping_) {
    if (stopping_) return;
    kicked_ = false;
    l.unlock();
    bool done = true;
    try {
      done = pass();
    } catch (const std::exception& e) {
      spdlog::warn("waveforms: background pass failed: {}", e.what());
    }
    l.lock();
    // A pass that fell due while this node was not on duty stays due: it is tried again shortly (the
    // node may be about to lead: the first delay can end before leadership is settled at start).
    wait = done ? period_ : std::min<std::chrono::seconds>(period_, std::chrono::seconds(2));
  }
}

bool WaveformBackfill::pass() {
  std::string after;
  std::size_t computed = 0, failed = 0;
  if (on_duty_ && !on_duty_()) return false;
  while (!on_duty_ || on_duty_()) {
    auto page = catalog_.tracks_without_waveform(after, 50);
    if (page.empty()) break;
    for (const auto& t : page) {
      after = t.id;
      {
        std::lock_guard l(mu_);
        if (stopping_) return true;
      }
      try {
        compute_(t);
        ++computed;
      } catch (const std::exception& e) {
        ++failed;  // left without one (the endpoint says why); tried again at the next pass
        spdlog::debug("waveforms: {}: {}", t.file_path, e.what());
      }
    }
  }
  if (computed || failed) spdlog::info("waveforms: computed {} in the background ({} could not be decoded)", computed, failed);
  return true;
}

}  // namespace st::library
