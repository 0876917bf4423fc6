#pragma once
#include <memory>
#include <string>

#include "db/sql.hpp"
#include "db/wal_checkpointer.hpp"

namespace st::db {

// A SQLite connection with WAL, foreign keys and a busy timeout, caching its prepared statements. With a
// checkpointer, its commits leave copying the log into the database to that thread (else SQLite's own).
std::unique_ptr<Connection> open_sqlite(const std::string& path, std::shared_ptr<WalCheckpointer> checkpointer = nullptr);

}  // namespace st::db
