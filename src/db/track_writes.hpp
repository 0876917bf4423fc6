#pragma once
// Writing tracks' rows: one, a batch (imports, uploads), peer replicas (one per content hash), and a file's
// fields again after a rescan. On the caller's connection and transaction.
#include <map>
#include <string>
#include <vector>

#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

void insert_track_on(Connection& c, const model::Track& t);
// A batch: on PostgreSQL many rows a statement (its tracks' triggers are statement-level); on SQLite the
// rows go in with the triggers off and their work is done once for the batch (db/bulk_insert.hpp).
void insert_tracks_on(Connection& c, const std::vector<const model::Track*>& tracks);
// Replicas (each with a content hash), one per content hash: those whose bytes a track already holds (or an
// earlier replica of the same list) are left out, returned as hash -> the track holding them.
std::map<std::string, std::string> insert_replicas_on(Connection& c, const std::vector<model::Track>& replicas);
// Every field a file gives (tags, format, size, time, hash and the search text), by the track's id.
void update_track_file_on(Connection& c, const model::Track& t);

}  // namespace st::db
