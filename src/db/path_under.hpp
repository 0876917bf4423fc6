#pragma once
// Folder prefixes in SQL: the rows whose path lies under a folder.
#include <string>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

// "column starts with prefix" as SQL, with its parameters appended to params; also as a range of the path
// index in byte order, from the prefix up to the prefix with its last byte incremented, so that only the
// folder's rows are read (SQLite's BINARY order; on PostgreSQL COLLATE "C", migration 0034's index of
// tracks.file_path, and only when the last byte is ASCII). The substr test stays. The prefix's length is
// counted by SQL in characters, as substr counts them.
std::string path_under(Dialect d, const std::string& column, const std::string& prefix, std::vector<Value>& params);

}  // namespace st::db
