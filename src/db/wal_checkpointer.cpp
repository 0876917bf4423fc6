#include "db/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>

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
  constexpr auto kRetry = std::chrono::seconds(1);
  constexpr int kBusyTimeoutMs = 1000;  // opening reads the schema, which a moment's writer can hold up
  bool unfinished = false;
  std::unique_lock lock(mu_);
  for (;;) {
    auto woken = [this] { return due_ || stop_; };
    if (!unfinished) cv_.wait(lock, woken);
    else if (!cv_.wait_for(lock, kRetry, woken)) due_ = true;  // the retry's turn
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
    } catch (const std::exception& e) {
      // Tried again a second later, on a new connection (the writers' backstop still bounds the log).
      spdlog::warn("database: background checkpoint failed: {}", e.what());
      db_.reset();
      unfinished = true;
    }
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace st::db
