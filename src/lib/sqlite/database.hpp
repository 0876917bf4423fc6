#pragma once
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
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace st::lib::sqlite
