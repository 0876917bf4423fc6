#pragma once
// Watches folder trees with inotify and calls back once changes have settled (a burst of file copies
// becomes one rescan). Linux only; a tree too large for the inotify watch limit is watched partly and
// the periodic rescan covers the rest.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace st::library {

class FolderWatcher {
 public:
  // on_change runs on the watcher's thread after `quiet` without further events.
  FolderWatcher(std::vector<std::string> roots, std::chrono::milliseconds quiet, std::function<void()> on_change);
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  // Number of directories watched (for logs and tests).
  std::size_t watched() const { return watches_.size(); }

 private:
  void add_tree(const std::string& dir);
  void loop();

  std::vector<std::string> roots_;
  std::chrono::milliseconds quiet_;
  std::function<void()> on_change_;
  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::set<int> watches_;  // touched by the constructor, then only by the watcher thread
  std::thread thread_;
};

}  // namespace st::library
