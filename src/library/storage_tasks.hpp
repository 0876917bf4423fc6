#pragma once
// Long library jobs run in the background, one at a time, with progress an admin can poll:
// the integrity check (is every track's file there, with its size?) and the sync (an incremental
// scan of MUSIC_FOLDERS and of the upload storage). A periodic timer can start the sync too.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "library/importer.hpp"
#include "library/object_store.hpp"
#include "model/catalog.hpp"
#include "model/cluster_locks.hpp"
#include "model/library_task.hpp"

namespace st::library {

using MissingFile = model::MissingFile;
using TaskState = model::TaskState;

class StorageTasks {
 public:
  StorageTasks(model::CatalogRepository& catalog, Importer& importer, std::vector<std::string> scan_roots,
               unsigned threads);
  ~StorageTasks();

  // False when a task is already running.
  // With object storage, tracks stored there are checked with a HEAD (size included) and objects no
  // track names are reported as orphans; the store failing fails the check (it reports nothing missing).
  bool start_integrity_check();
  bool start_sync();
  // Starts a sync, or when one is running, makes it run once more when it ends (so changes made during
  // a scan are not missed).
  void request_sync();
  TaskState state();
  // Runs the sync every `interval` (and once shortly after start); zero disables.
  void schedule_sync(std::chrono::minutes interval);
  // Several nodes on one database: a task runs only while this node holds the cluster's library-task
  // lock (one task at a time whichever node is asked: the others answer "already running"), the
  // scheduled sync runs only where on_duty() says so (the leader), and the state of the task is kept in
  // `ledger` (once a second while it runs, and when it ends) so that state() is the same on every node.
  // Call before scheduling.
  void share_with_cluster(model::ClusterLocks* locks, std::function<bool()> on_duty,
                          std::unique_ptr<model::LibraryTaskLedger> ledger, std::string node_name);
  // Waits for the running task and the timer to end, and starts no other (shutdown). Idempotent.
  void stop();
  // STORAGE_BACKEND=s3: where tracks named "s3://<key>" live. Set before the first task.
  void set_object_store(ObjectStore* objects) { objects_ = objects; }

 private:
  bool launch(std::string kind, void (StorageTasks::*job)());
  void integrity_job();
  void sync_job();
  void sync_once();
  void publish();  // the state to the ledger (errors logged: the task goes on)

  model::CatalogRepository& catalog_;
  Importer& importer_;
  std::vector<std::string> roots_;
  unsigned threads_;
  model::ClusterLocks* locks_ = nullptr;
  std::function<bool()> on_duty_;
  std::unique_ptr<model::LibraryTaskLedger> ledger_;
  ObjectStore* objects_ = nullptr;
  std::string node_;
  std::mutex mu_;
  std::mutex launch_mu_;  // one launch() at a time (it may wait for the previous worker to end)
  TaskState state_;
  std::thread worker_;
  std::thread timer_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;
  bool sync_again_ = false;
};

}  // namespace st::library
