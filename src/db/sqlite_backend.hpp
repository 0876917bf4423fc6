#pragma once
#include <memory>
#include <string>

#include "db/sql.hpp"

namespace st::db {

// A SQLite connection with WAL, foreign keys and a busy timeout, caching its prepared statements.
std::unique_ptr<Connection> open_sqlite(const std::string& path);

}  // namespace st::db
