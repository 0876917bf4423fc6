#pragma once
// The row counts kept by the triggers of migration 0017 (catalog_totals), read instead of COUNT(*).
#include <cstdint>

#include "db/sql.hpp"

namespace st::db {

// The number of rows of `table` ("tracks", "albums", "artists"); 0 when none is kept.
std::int64_t maintained_total(Connection& c, const char* table);
// The tracks of one genre (genre_counts, kept by the triggers of migration 0023); 0 for an unknown genre.
std::int64_t genre_tracks(Connection& c, const std::string& genre);

// The version of the tracks and of their paths ('tracks' and 'track_paths': both only grow, so their sum moves
// whenever either does), read in one query, and when either last changed (µs; migration 0033/0037): what a
// cache of folders (folder_counts.hpp, folder_listing.hpp) is kept against.
struct TrackPathsVersion {
  std::int64_t version = -1;
  std::int64_t changed_at = 0;
};
TrackPathsVersion track_paths_version(Connection& c);

}  // namespace st::db
