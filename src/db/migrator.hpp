#pragma once
#include <string>
#include <vector>

#include "db/pool.hpp"

namespace st::db {

// Applies every migration not yet recorded in schema_migrations, each in its own transaction.
// Returns the names applied. Refuses to run against a database that has migrations this build
// does not know (a newer SoundTime ran on it).
std::vector<std::string> migrate(Pool& pool);

}  // namespace st::db
