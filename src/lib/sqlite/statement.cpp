#include "lib/sqlite/statement.hpp"

#include <sqlite3.h>

#include "lib/sqlite/error.hpp"

namespace st::lib::sqlite {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                              nullptr);
  if (rc != SQLITE_OK) throw_error(db, rc, "SQLite prepare");
}

Statement::~Statement() noexcept { sqlite3_finalize(stmt_); }

int Statement::parameter_count() const noexcept { return sqlite3_bind_parameter_count(stmt_); }

void Statement::bind_null(int i) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) throw_error(db_, rc, "SQLite bind");
}
void Statement::bind_int64(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) throw_error(db_, rc, "SQLite bind");
}
void Statement::bind_double(int i, double v) {
  if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) throw_error(db_, rc, "SQLite bind");
}
void Statement::bind_text(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_error(db_, rc, "SQLite bind");
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, rc, "SQLite step");
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const noexcept { return sqlite3_column_count(stmt_); }

std::optional<std::string_view> Statement::column_text(int i) const noexcept {
  if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
  const unsigned char* t = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return std::string_view(reinterpret_cast<const char*>(t), static_cast<std::size_t>(n));
}

std::int64_t Statement::column_int64(int i) const noexcept { return sqlite3_column_int64(stmt_, i); }

}  // namespace st::lib::sqlite
