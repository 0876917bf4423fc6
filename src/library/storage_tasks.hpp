#pragma once
// Long library jobs run in the background, one at a time, with progress an admin can poll:
// the integrity check (is every track's file there, with its size?) and the sync (an incremental
// scan of MUSIC_FOLDERS and of the upload storage). A periodic timer can start the sync too.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "library/importer.hpp"
#include "model/catalog.hpp"
#include "model/cluster_locks.hpp"

namespace st::library {

struct MissingFile {
  std::string track_id, title, file_path;
};

struct TaskState {
  enum class Status { idle, running, completed, error } status = Status::idle;
  std::string kind;  // "integrity" or "sync"
  std::uint64_t processed = 0;
  std::optional<std::uint64_t> total;
  // integrity
  std::uint64_t total_checked = 0, healthy = 0;
  std::vector<MissingFile> missing;
  // sync
  std::uint64_t scanned = 0, imported = 0, updated = 0, removed = 0, skipped = 0;
  std::vector<std::string> errors;
  std::string message;  // status error
};

class StorageTasks {
 public:
  StorageTasks(model::CatalogRepository& catalog, Importer& importer, std::vector<std::string> scan_roots,
               unsigned threads);
  ~StorageTasks();

  // False when a task is already running.
  bool start_integrity_check();
  bool start_sync();
  // Starts a sync, or when one is running, makes it run once more when it ends (so changes made during
  // a scan are not missed).
  void request_sync();
  TaskState state();
  // Runs the sync every `interval` (and once shortly after start); zero disables.
  void schedule_sync(std::chrono::minutes interval);
  // Several nodes on one database: a task runs only while this node holds the cluster's library-task
  // lock (one task at a time whichever node is asked: the others answer "already running"), and the
  // scheduled sync runs only where on_duty() says so (the leader). Call before scheduling.
  void share_with_cluster(model::ClusterLocks* locks, std::function<bool()> on_duty);

 private:
  bool launch(std::string kind, void (StorageTasks::*job)());
  void integrity_job();
  void sync_job();
  void sync_once();

  model::CatalogRepository& catalog_;
  Importer& importer_;
  std::vector<std::string> roots_;
  unsigned threads_;
  model::ClusterLocks* locks_ = nullptr;
  std::function<bool()> on_duty_;
  std::mutex mu_;
  TaskState state_;
  std::thread worker_;
  std::thread timer_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;
  bool sync_again_ = false;
};

}  // namespace st::library
