#include "library/storage_tasks.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

namespace st::library {

StorageTasks::StorageTasks(model::CatalogRepository& catalog, Importer& importer, std::vector<std::string> roots,
                           unsigned threads)
    : catalog_(catalog), importer_(importer), roots_(std::move(roots)), threads_(threads) {}

StorageTasks::~StorageTasks() { stop(); }

void StorageTasks::stop() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  std::lock_guard launching(launch_mu_);
  if (worker_.joinable()) worker_.join();
}

void StorageTasks::share_with_cluster(model::ClusterLocks* locks, std::function<bool()> on_duty,
                                      std::unique_ptr<model::LibraryTaskLedger> ledger, std::string node_name) {
  locks_ = locks;
  on_duty_ = std::move(on_duty);
  ledger_ = std::move(ledger);
  node_ = std::move(node_name);
}

void StorageTasks::publish() {
  TaskState copy;
  {
    std::lock_guard l(mu_);
    copy = state_;
  }
  copy.node = node_;
  try {
    ledger_->save(copy);
  } catch (const std::exception& e) {
    spdlog::warn("storage task: cannot keep its state for the other nodes: {}", e.what());
  }
}

bool StorageTasks::launch(std::string kind, void (StorageTasks::*job)()) {
  std::lock_guard launching(launch_mu_);
  {
    std::lock_guard l(mu_);
    if (state_.status == TaskState::Status::running || stopping_) return false;
  }
  // Taken before our own lock (it may wait on the database); held by the worker until the task ends.
  std::unique_ptr<model::ClusterLease> lease;
  if (locks_ && !(lease = locks_->try_take("library-task"))) {
    // Our own task may have ended (its result is visible) and not yet let the lease go: a task started
    // right after another one's result must not be refused for that. Wait for it, then try again.
    bool ours_ending;
    {
      std::lock_guard l(mu_);
      ours_ending = state_.status != TaskState::Status::running && worker_.joinable();
    }
    if (!ours_ending) return false;
    worker_.join();  // (only launch() and stop() join it; launch_mu_ keeps launches apart)
    if (!(lease = locks_->try_take("library-task"))) return false;
  }
  std::lock_guard l(mu_);
  if (state_.status == TaskState::Status::running || stopping_) return false;
  if (worker_.joinable()) worker_.join();  // the previous task has finished
  state_ = TaskState{};
  state_.status = TaskState::Status::running;
  state_.kind = std::move(kind);
  worker_ = std::thread([this, job, lease = std::move(lease)]() mutable {
    // Several nodes: the state goes to the ledger once a second while the task runs, and when it ends.
    std::jthread publisher;
    if (ledger_)
      publisher = std::jthread([this](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock l(m);
        while (!stop.stop_requested()) {
          publish();
          cv.wait_for(l, stop, std::chrono::seconds(1), [] { return false; });  // ends early on the stop
        }
      });
    try {
      (this->*job)();
      std::lock_guard l2(mu_);
      state_.status = TaskState::Status::completed;
    } catch (const std::exception& e) {
      std::lock_guard l2(mu_);
      state_.status = TaskState::Status::error;
      state_.message = e.what();
    }
    if (publisher.joinable()) {
      publisher.request_stop();
      publisher.join();
      publish();
    }
    lease.reset();  // after the last word on this task: the next one may start at once, anywhere
  });
  return true;
}

bool StorageTasks::start_integrity_check() { return launch("integrity", &StorageTasks::integrity_job); }
bool StorageTasks::start_sync() { return launch("sync", &StorageTasks::sync_job); }

void StorageTasks::request_sync() {
  if (start_sync()) return;
  std::lock_guard l(mu_);
  if (state_.status == TaskState::Status::running) sync_again_ = true;
}

TaskState StorageTasks::state() {
  TaskState local;
  {
    std::lock_guard l(mu_);
    local = state_;
  }
  if (!ledger_) return local;
  if (local.status == TaskState::Status::running) {
    local.node = node_;
    return local;
  }
  // Not running here: the task another node runs (or ran last), as it keeps it.
  try {
    if (auto kept = ledger_->load()) return *kept;
  } catch (const std::exception& e) {
    spdlog::debug("storage task: cannot read the other nodes' task: {}", e.what());
  }
  return local;
}

void StorageTasks::integrity_job() {
  {
    std::lock_guard l(mu_);
    state_.total = static_cast<std::uint64_t>(catalog_.counts().tracks);
  }
  std::string after;
  for (;;) {
    auto batch = catalog_.track_files(after, 500);
    if (batch.empty()) break;
    for (const auto& f : batch) {
      bool ok = false;
      if (is_object_path(f.path)) {
        // Without a store (the server runs on local storage now) the object cannot be reached: missing.
        if (objects_) {
          auto meta = objects_->head(object_key(f.path));  // throws when the store fails: the check fails
          ok = meta && meta->size == static_cast<std::uint64_t>(f.size);
        }
      } else {
        struct stat st {};
        ok = ::stat(f.path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == f.size;
      }
      std::lock_guard l(mu_);
      ++state_.processed;
      ++state_.total_checked;
      if (ok) ++state_.healthy;
      else if (state_.missing.size() < 1000) state_.missing.push_back({f.id, f.title, f.path});
    }
    after = batch.back().id;
    std::lock_guard l(mu_);
    if (stopping_) return;
  }
  if (!objects_) return;
  // Objects no track names: left by a crash between storing and recording, or put there by hand.
  objects_->list("", [this](const std::string& key, const ObjectMeta&) {
    if (!names_a_track(key) || catalog_.find_by_path(std::string(kObjectScheme) + key)) return;
    std::lock_guard l(mu_);
    ++state_.orphan_count;
    if (state_.orphans.size() < 1000) state_.orphans.push_back(key);
  });
}

void StorageTasks::sync_job() {
  for (;;) {
    sync_once();
    std::lock_guard l(mu_);
    if (!sync_again_ || stopping_) return;
    sync_again_ = false;
  }
}

void StorageTasks::sync_once() {
  for (const auto& root : roots_) {
    auto r = importer_.import_tree(root, threads_, true, [this](const ImportProgress& p) {
      std::lock_guard l(mu_);
      state_.processed = p.done;
      // Unknown until the walk has found every file (a growing count would fill the bar too early).
      state_.total = p.walking ? std::nullopt : std::optional<std::uint64_t>(p.total);
    });
    std::lock_guard l(mu_);
    state_.scanned += r.files;
    state_.imported += r.added;
    state_.updated += r.updated;
    state_.removed += r.removed;
    state_.skipped += r.unchanged + r.skipped + r.duplicates + r.ignored + r.outside_root;
    for (auto& e : r.errors)
      if (state_.errors.size() < 100) state_.errors.push_back(std::move(e));
  }
}

void StorageTasks::schedule_sync(std::chrono::minutes interval) {
  if (interval.count() <= 0 || roots_.empty()) return;
  timer_ = std::thread([this, interval] {
    std::unique_lock l(mu_);
    // A first pass soon after start, then every interval.
    auto next = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!stopping_) {
      if (timer_cv_.wait_until(l, next, [this] { return stopping_; })) return;
      l.unlock();
      if (!on_duty_ || on_duty_()) start_sync();
      l.lock();
      next = std::chrono::steady_clock::now() + interval;
    }
  });
}

}  // namespace st::library
