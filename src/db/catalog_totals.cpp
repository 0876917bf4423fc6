#include "db/catalog_totals.hpp"

#include <string>

namespace st::db {

std::int64_t maintained_total(Connection& c, const char* table) {
  auto rows = c.query("SELECT n FROM catalog_totals WHERE name = ?", {std::string(table)});
  return rows.empty() ? 0 : rows.rows.front().integer(0);
}

std::int64_t genre_tracks(Connection& c, const std::string& genre) {
  auto rows = c.query("SELECT tracks FROM genre_counts WHERE genre = ?", {genre});
  return rows.empty() ? 0 : rows.rows.front().integer(0);
}

TrackPathsVersion track_paths_version(Connection& c) {
  auto rows = c.query("SELECT COALESCE(SUM(version), -1), COALESCE(MAX(changed_at), 0) FROM catalog_totals "
                      "WHERE name IN ('tracks', 'track_paths')");
  const auto& r = rows.rows.at(0);
  return {r.integer(0), r.integer(1)};
}

}  // namespace st::db
