#pragma once
// The row counts kept by the triggers of migration 0017 (catalog_totals), read instead of COUNT(*).
#include <cstdint>

#include "db/sql.hpp"

namespace st::db {

// The number of rows of `table` ("tracks", "albums", "artists"); 0 when none is kept.
std::int64_t maintained_total(Connection& c, const char* table);

}  // namespace st::db
