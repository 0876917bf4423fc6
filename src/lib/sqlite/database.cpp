#include "lib/sqlite/database.hpp"

#include <sqlite3.h>

#include "lib/sqlite/error.hpp"

namespace st::lib::sqlite {

Database::Database(const std::string& path) {
  // SQLite's memory statistics take a global mutex on every allocation, shared by all connections; nothing
  // here reads them. Set once, before the first connection (later it is refused, harmlessly).
  static const bool no_memstatus = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
  (void)no_memstatus;
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string ctx = "Cannot open SQLite database " + path;
    if (db_) {
      try {
        throw_error(db_, rc, ctx);
      } catch (...) {
        sqlite3_close_v2(db_);
        throw;
      }
    }
    throw_error(nullptr, rc, ctx);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() noexcept { sqlite3_close_v2(db_); }

void Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    throw_error(db_, rc, "SQLite exec");
  }
}

void Database::busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }

long long Database::changes() const noexcept { return sqlite3_changes64(db_); }

void Database::release_memory() noexcept { sqlite3_db_release_memory(db_); }

void Database::enable_triggers(bool on) {
  int now = -1;
  int rc = sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, on ? 1 : 0, &now);
  if (rc != SQLITE_OK || now != (on ? 1 : 0)) {
    int code = rc == SQLITE_OK ? SQLITE_ERROR : rc;
    throw Error(code, code, on ? "cannot turn triggers on" : "cannot turn triggers off");
  }
}

void Database::on_wal_commit(std::function<void(int pages)> hook) {
  wal_hook_ = std::move(hook);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) noexcept {
        try {  // nothing may unwind through SQLite's frames; the commit itself has succeeded
          static_cast<Database*>(self)->wal_hook_(pages);
        } catch (...) {
        }
        return SQLITE_OK;
      },
      this);
}

Database::Checkpoint Database::checkpoint_passive() {
  Checkpoint out;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &out.log_pages, &out.copied_pages);
  if ((rc & 0xff) == SQLITE_BUSY) out.busy = true;  // (extended result codes are on)
  else if (rc != SQLITE_OK) throw_error(db_, rc, "SQLite checkpoint");
  else out.busy = out.copied_pages < out.log_pages;
  return out;
}

}  // namespace st::lib::sqlite
