#include "library/folder_watcher.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <set>

namespace st::library {

namespace fs = std::filesystem;

namespace {
constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF;
}

FolderWatcher::FolderWatcher(std::vector<std::string> roots, std::chrono::milliseconds quiet,
                             std::function<void()> on_change)
    : roots_(std::move(roots)), quiet_(quiet), on_change_(std::move(on_change)) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0 || ::pipe(stop_pipe_) != 0) return;  // no inotify: the periodic rescan still works
  for (const auto& r : roots_) add_tree(r);
  thread_ = std::thread([this] { loop(); });
}

FolderWatcher::~FolderWatcher() {
  if (thread_.joinable()) {
    char b = 1;
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], &b, 1);
    thread_.join();
  }
  for (int fd : {fd_, stop_pipe_[0], stop_pipe_[1]})
    if (fd >= 0) ::close(fd);
}

void FolderWatcher::add_tree(const std::string& dir) {
  int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) return;
  watches_.insert(wd);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      wd = ::inotify_add_watch(fd_, it->path().c_str(), kMask);
      if (wd < 0) return;  // watch limit reached
      watches_.insert(wd);
    }
  }
}

void FolderWatcher::loop() {
  bool pending = false;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int timeout = pending ? static_cast<int>(quiet_.count()) : -1;
    int n = ::poll(fds, 2, timeout);
    if (n < 0) continue;
    if (fds[1].revents) return;
    if (n == 0) {  // quiet for long enough: act once for the whole burst
      pending = false;
      on_change_();
      continue;
    }
    ssize_t len;
    bool new_dir = false;
    while ((len = ::read(fd_, buf, sizeof buf)) > 0) {
      for (char* p = buf; p < buf + len;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) new_dir = true;
        pending = true;
        p += sizeof(inotify_event) + ev->len;
      }
    }
    // A new folder (a copied album) must be watched too; adding a watch twice is harmless.
    if (new_dir)
      for (const auto& r : roots_) add_tree(r);
  }
}

}  // namespace st::library
