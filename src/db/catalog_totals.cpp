#include "db/catalog_totals.hpp"

#include <string>

namespace st::db {

std::int64_t maintained_total(Connection& c, const char* table) {
  auto rows = c.query("SELECT n FROM catalog_totals WHERE name = ?", {std::string(table)});
  return rows.empty() ? 0 : rows.rows.front().integer(0);
}

}  // namespace st::db
