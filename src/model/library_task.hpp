#pragma once
// The library's long tasks (integrity check, sync) as an admin polls them, and where they are kept so
// that every node of a cluster shows the task that runs, or last ran, on any of them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st::model {

struct MissingFile {
  std::string track_id, title, file_path;
};

struct TaskState {
  enum class Status { idle, running, completed, error } status = Status::idle;
  std::string kind;  // "integrity" or "sync"
  std::string node;  // the cluster node running it (empty on a single node)
  std::uint64_t processed = 0;
  std::optional<std::uint64_t> total;
  // integrity
  std::uint64_t total_checked = 0, healthy = 0;
  std::vector<MissingFile> missing;  // the first 1000
  // Object storage: objects no track names (their keys, the first 1000) and how many there are.
  std::vector<std::string> orphans;
  std::uint64_t orphan_count = 0;
  // sync
  std::uint64_t scanned = 0, imported = 0, updated = 0, removed = 0, skipped = 0;
  std::vector<std::string> errors;
  std::string message;  // status error
};

class LibraryTaskLedger {
 public:
  virtual ~LibraryTaskLedger() = default;
  // Replaces the kept state with this one. Throws when the database is out of reach.
  virtual void save(const TaskState& state) = 0;
  // The last state saved by any node, if any. Throws when the database is out of reach.
  virtual std::optional<TaskState> load() = 0;
};

}  // namespace st::model
