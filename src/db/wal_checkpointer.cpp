#include "db/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "lib/sqlite/database.hpp"
#include "lib/sqlite/error.hpp"

namespace st::db {

WalCheckpointer::WalCheckpointer(std::string path) : path_(std::move(path)), thread_([this] { loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool WalCheckpointer::note_commit(int pages) {
  if (pages >= kBackstopPages) return true;
  if (pages >= kThresholdPages) {
    {
      std::lock_guard lock(mu_);
      due_ = true;
    }
    cv_.notify_one();
  }
  return false;
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

void WalCheckpointer::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return due_ || stop_; });
    if (stop_) return;
    due_ = false;  // commits from now on wake the next round
    lock.unlock();
    try {
      if (!db_) {
        db_ = std::make_unique<lib::sqlite::Database>(path_);
        db_->exec("PRAGMA synchronous=NORMAL;");  // as the writers' (db/sqlite_backend.cpp)
      }
      db_->checkpoint_passive();  // busy: what a reader still needs is copied at a later commit's round
    } catch (const lib::sqlite::Error& e) {
      // The writers' backstop still bounds the log; the next commit past the threshold tries again.
      spdlog::warn("database: background checkpoint failed: {}", e.what());
      db_.reset();
    }
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace st::db
