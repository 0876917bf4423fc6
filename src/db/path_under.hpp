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
// The same test without the index range: for a query that walks another ordering's index and checks each
// row (a folder holding most rows), where the range would make SQLite read the whole folder and sort it.
std::string path_starts(const std::string& column, const std::string& prefix, std::vector<Value>& params);

}  // namespace st::db
