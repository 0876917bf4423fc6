#pragma once
// Random tracks of a filter (getRandomSongs, a random track list) and tracks by id, on the caller's
// connection.
#include <string>
#include <vector>

#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// `q.limit` distinct random tracks passing q's filter: probes of the random key (db/random_picks.hpp) when
// most tracks pass it, else its few rows shuffled.
std::vector<model::Track> random_tracks_on(Connection& c, const model::RandomQuery& q);
// The tracks of `ids` in their order (an id given twice, twice; an unknown one left out), read alone and
// given their artists' and albums' names once each (fill_track_names).
std::vector<model::Track> tracks_by_ids_on(Connection& c, const std::vector<std::string>& ids);

}  // namespace st::db
