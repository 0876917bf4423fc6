#pragma once
#include <memory>
#include <string>

#include "db/sql.hpp"
#include "db/wal_checkpointer.hpp"

namespace st::db {

// False for `:memory:` and `file:` URIs: no file of that name to create, nor a log to copy back.
inline bool is_plain_sqlite_file(const std::string& path) { return path != ":memory:" && path.rfind("file:", 0) != 0; }

// A SQLite connection with WAL, foreign keys and a busy timeout, caching its prepared statements. With a
// checkpointer, its commits leave copying the log into the database to that thread (else SQLite's own).
std::unique_ptr<Connection> open_sqlite(const std::string& path, std::shared_ptr<WalCheckpointer> checkpointer = nullptr);

}  // namespace st::db
