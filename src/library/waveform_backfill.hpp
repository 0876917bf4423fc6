#pragma once
// Waveforms of tracks that arrived without one (folder imports and scans, which do not decode audio so
// that they stay fast): computed in the background, one track at a time on a low-priority thread,
// shortly after start and then periodically, so that the player rarely waits for one.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "model/catalog.hpp"

namespace st::library {

class WaveformBackfill {
 public:
  // `compute` decodes a track and stores its waveform (throws when the file cannot be decoded).
  // Passes run only while on_duty() (when given) says so: the cluster's leader does this work.
  WaveformBackfill(model::CatalogRepository& catalog, std::function<void(const model::Track&)> compute,
                   std::chrono::seconds first_delay, std::chrono::seconds period, std::function<bool()> on_duty = {});
  ~WaveformBackfill();
  // Runs a pass soon (after a scan added tracks).
  void kick();

 private:
  void run();
  // False when the pass found this node off duty before starting.
  bool pass();

  model::CatalogRepository& catalog_;
  std::function<void(const model::Track&)> compute_;
  std::function<bool()> on_duty_;
  std::chrono::seconds first_delay_, period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false, kicked_ = false;
  std::thread thread_;
};

}  // namespace st::library
