#include "db/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "lib/sqlite/database.hpp"

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
  if (pages < kThresholdPages) return false;
  // Woken even when the writer checkpoints itself: that try may be refused (this thread holds the checkpoint)
  // or stop at a reader's snapshot, and the thread then copies what it left.
  {
    std::lock_guard lock(mu_);
    due_ = true;
  }
  cv_.notify_one();
  return pages >= kBackstopPages;
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

void WalCheckpointer::loop() {
  // A checkpoint that could not copy everything (a reader still needed older pages) is tried again a second
  // later, and so on until the log is all copied: a quiet database is not left reading through a long log.
  // One that failed is tried again after a pause that doubles up to a minute, and an outage is logged once.
  constexpr auto kRetry = std::chrono::seconds(1);
  constexpr auto kLongestPause = std::chrono::seconds(60);
  constexpr int kBusyTimeoutMs = 1000;  // opening reads the schema, which a moment's writer can hold up
  bool unfinished = false, failing = false;
  std::chrono::seconds pause = kRetry;
  std::unique_lock lock(mu_);
  for (;;) {
    auto woken = [this] { return due_ || stop_; };
    // After a failure only the pause ends the wait (the log stays long, so every commit would wake it);
    // a checkpoint stopped by a reader is tried again a second later, or at the next long commit.
    if (failing) cv_.wait_for(lock, pause, [this] { return stop_; });
    else if (unfinished) cv_.wait_for(lock, kRetry, woken);
    else cv_.wait(lock, woken);
    if (stop_) return;
    due_ = false;  // commits from now on wake the next round
    lock.unlock();
    try {
      if (!db_) {
        db_ = std::make_unique<lib::sqlite::Database>(path_);
        db_->busy_timeout(kBusyTimeoutMs);
        db_->exec("PRAGMA synchronous=NORMAL;");  // as the writers' (db/sqlite_backend.cpp)
      }
      unfinished = db_->checkpoint_passive().busy;
      if (failing) spdlog::info("database: background checkpoint works again");
      failing = false;
      pause = kRetry;
    } catch (const std::exception& e) {
      // Tried again later on a new connection; meanwhile the writers' backstop still bounds the log.
      if (!failing) spdlog::warn("database: background checkpoint failed (retrying quietly): {}", e.what());
      pause = failing ? std::min(pause * 2, kLongestPause) : kRetry;
      failing = true;
      db_.reset();
      unfinished = true;
    }
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace st::db
