#include "app/library_cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/services.hpp"

namespace st::app {

namespace {

using Clock = std::chrono::steady_clock;

// Draws "[#####.....] 1234/5000 files  250.3 files/s  ETA 15 s" at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label) : label_(std::move(label)), tty_(::isatty(STDERR_FILENO)), start_(Clock::now()) {}

  void update(const library::ImportProgress& p) {
    std::lock_guard l(mu_);
    auto now = Clock::now();
    std::uint64_t done = p.done, total = p.total;
    bool walking = p.walking;
    bool finished = !walking && done == total;
    if (!finished && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    int width = 30;
    int filled = total ? static_cast<int>(width * done / total) : width;
    // While the walk goes on, the total is what was found so far ("+") and there is no ETA yet.
    std::string eta = walking ? std::string("finding files") : fmt::format("ETA {:.0f} s", rate > 0 ? static_cast<double>(total - done) / rate : 0.0);
    std::string line = fmt::format("{} [{}{}] {}/{}{} files  {:.1f} files/s  {}", label_,
                                   std::string(static_cast<std::size_t>(filled), '#'),
                                   std::string(static_cast<std::size_t>(width - filled), '.'), done, total,
                                   walking ? "+" : "", rate, eta);
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
  std::string label_;
  bool tty_;
  Clock::time_point start_, last_{}, last_line_{};
  std::mutex mu_;
};

int run_tree(Services& s, const std::string& dir, bool remove_missing) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::cerr << "error: " << dir << " is not a directory\n";
    return 1;
  }
  ProgressBar bar(dir);
  unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  auto r = s.importer->import_tree(dir, threads, remove_missing,
                                   [&bar](const library::ImportProgress& p) { bar.update(p); });
  bar.finish();
  std::cout << fmt::format(
      "{}: {} files in {:.1f} s: {} added, {} updated, {} unchanged, {} duplicates, {} not audio, {} failed{}\n", dir,
      r.files, bar.seconds(), r.added, r.updated, r.unchanged, r.duplicates, r.skipped, r.failed,
      remove_missing ? fmt::format(", {} removed", r.removed) : "");
  if (r.ignored) std::cout << fmt::format("{} files left out: an administrator removed them from the catalogue\n", r.ignored);
  if (r.outside_root)
    std::cout << fmt::format("{} links left out: they lead outside {}\n", r.outside_root, dir);
  for (const auto& e : r.errors) std::cout << "  failed: " << e << "\n";
  return 0;
}

}  // namespace

int import_dirs(const Config& c, const std::vector<std::string>& dirs) {
  Services s = open_services(c);
  int rc = 0;
  for (const auto& d : dirs) rc |= run_tree(s, d, false);
  return rc;
}

int scan_music_folders(const Config& c) {
  if (c.music_folders.empty()) {
    std::cerr << "error: MUSIC_FOLDERS is not set (folders to scan, separated by ':')\n";
    return 2;
  }
  Services s = open_services(c);
  int rc = 0;
  for (const auto& d : c.music_folders) rc |= run_tree(s, d, true);
  return rc;
}

}  // namespace st::app
