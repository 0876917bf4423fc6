#pragma once
// Copies SQLite's write-ahead log back into the database file on a thread of its own. Left to SQLite, the
// commit that leaves more than 1,000 pages in the log does it, so the writer pays for it: a catalogue pull or
// a scan commits thousands of scattered index pages at a time, then writes them all a second time and
// fsyncs before its next transaction can start. Here every commit reports the log's length (note_commit);
// past the same 1,000 pages this thread is woken and checkpoints PASSIVE (never waiting for a reader or a
// writer) while the writer goes on, on the other core; what a reader's older snapshot kept it from copying
// is tried again every second until the log is all copied. The writers still checkpoint themselves past
// kBackstopPages, when this thread cannot keep up (a reader holding an old snapshot, a slow disk).
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace st::lib::sqlite {
class Database;
}

namespace st::db {

class WalCheckpointer {
 public:
  static constexpr int kThresholdPages = 1000;  // SQLite's own default
  static constexpr int kBackstopPages = 65536;  // 256 MiB of 4 KiB pages

  explicit WalCheckpointer(std::string path);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // From a connection's commit (any thread): the log now holds `pages`. True when the committing writer
  // should checkpoint itself (the backstop).
  bool note_commit(int pages);
  std::uint64_t checkpoints() const;  // checkpoints this thread ran (tests)

 private:
  void loop();

  std::string path_;
  std::unique_ptr<lib::sqlite::Database> db_;  // opened at the first checkpoint, on this thread
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false, stop_ = false;
  std::uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace st::db
