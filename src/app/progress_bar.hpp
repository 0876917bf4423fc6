#pragma once
// A progress line for the command line: "[#####.....] 1234/5000 files  250.3 files/s  ETA 15 s", redrawn
// in place on a terminal at most ten times a second, one line every 5 s otherwise (logs).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <string>

namespace st::app {

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ProgressBar(std::string label, std::string unit = "files")
      : label_(std::move(label)), unit_(std::move(unit)), tty_(::isatty(STDERR_FILENO)), start_(Clock::now()) {}

  // walking: the total is what was found so far and still grows.
  void update(std::uint64_t done, std::uint64_t total, bool walking = false) {
    std::lock_guard l(mu_);
    auto now = Clock::now();
    bool finished = !walking && done == total;
    if (!finished && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    int width = 30;
    int filled = total ? static_cast<int>(width * done / total) : width;
    // While the walk goes on, the total is what was found so far ("+") and there is no ETA yet.
    std::string eta = walking ? std::string("finding " + unit_) : fmt::format("ETA {:.0f} s", rate > 0 ? static_cast<double>(total - done) / rate : 0.0);
    std::string line = fmt::format("{} [{}{}] {}/{}{} {}  {:.1f} {}/s  {}", label_,
                                   std::string(static_cast<std::size_t>(filled), '#'),
                                   std::string(static_cast<std::size_t>(width - filled), '.'), done, total,
                                   walking ? "+" : "", unit_, rate, unit_, eta);
    if (tty_) std::cerr << "\r" << line << std::flush;
    else if (finished || now - last_line_ > std::chrono::seconds(5)) {
      std::cerr << line << "\n";
      last_line_ = now;
    }
  }
  void finish() {
    if (tty_) std::cerr << "\n";
  }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  std::string label_, unit_;
  bool tty_;
  Clock::time_point start_, last_{}, last_line_{};
  std::mutex mu_;
};

}  // namespace st::app
