#pragma once
#include <functional>
#include <string>
#include <string_view>

struct sqlite3;

namespace st::lib::sqlite {

// One open SQLite connection. Not thread-safe: one user at a time (the pool hands it out).
class Database {
 public:
  // Opens (creating) the file in serialized-off, full-mutex-off mode; throws Error.
  explicit Database(const std::string& path);
  ~Database() noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results (pragmas, scripts).
  void exec(std::string_view sql);
  void busy_timeout(int ms);
  long long changes() const noexcept;
  // Frees the unused pages of this connection's cache (sqlite3_db_release_memory).
  void release_memory() noexcept;
  // Turns this connection's triggers on or off (SQLITE_DBCONFIG_ENABLE_TRIGGER); its prepared statements are
  // prepared again on their next use, with or without the trigger programs.
  void enable_triggers(bool on);
  // Calls hook after each commit in WAL mode with the pages the log then holds, instead of SQLite's own
  // checkpoint at 1,000 pages (sqlite3_wal_hook; the hook must not throw).
  void on_wal_commit(std::function<void(int pages)> hook);
  struct Checkpoint {
    int log_pages = 0, copied_pages = 0;
    bool busy = false;  // a reader or writer kept some pages from being copied
  };
  // Copies what it can of the log into the database file without waiting for anyone (PASSIVE).
  Checkpoint checkpoint_passive();
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::function<void(int)> wal_hook_;
};

}  // namespace st::lib::sqlite
