#include "app/library_cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/progress_bar.hpp"
#include "app/services.hpp"

namespace st::app {

namespace {


int run_tree(Services& s, const std::string& dir, bool remove_missing) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::cerr << "error: " << dir << " is not a directory\n";
    return 1;
  }
  ProgressBar bar(dir);
  unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  auto r = s.importer->import_tree(dir, threads, remove_missing, [&bar](const library::ImportProgress& p) {
    bar.update(p.done, p.total, p.walking);
  });
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
