#pragma once
// Folder prefixes in SQL: the rows whose path lies under a folder.
#include <string>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

// "column starts with prefix" as SQL, with its parameters appended to params. On SQLite (BINARY order)
// also as a range of the path index, from the prefix up to the prefix with its last byte incremented, so
// that only the folder's rows are read; the substr test stays (and is all PostgreSQL gets: its collation
// need not sort by bytes). The prefix's length is counted by SQL in characters, as substr counts them.
std::string path_under(Dialect d, const std::string& column, const std::string& prefix, std::vector<Value>& params);

}  // namespace st::db
