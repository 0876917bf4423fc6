#include "lib/sqlite/error.hpp"

#include <sqlite3.h>

namespace st::lib::sqlite {

bool Error::is_unique_violation() const noexcept {
  return extended_ == SQLITE_CONSTRAINT_UNIQUE || extended_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool Error::is_disk_full() const noexcept { return code_ == SQLITE_FULL; }

void throw_error(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  throw Error(rc & 0xff, ext, std::move(msg));
}

}  // namespace st::lib::sqlite
