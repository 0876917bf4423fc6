#pragma once
// Artists and albums settled by match key, many at once: each goes in unless its key is taken, then every
// key's row is read back (ours, or the one another writer put there first). A page of 20,000 replicated
// tracks names thousands of albums: their rows go in 256 a statement, and are read back with a statement
// per 400 keys (SQLite) or one (PostgreSQL, an array parameter).
#include <string>
#include <utility>
#include <vector>

#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// The rows holding each key, in the order of `keyed` (a key given twice: its row twice).
std::vector<model::Artist> upsert_artists_on(Connection& c, const std::vector<std::pair<std::string, model::Artist>>& keyed);
std::vector<model::Album> upsert_albums_on(Connection& c, const std::vector<std::pair<std::string, model::Album>>& keyed);

}  // namespace st::db
