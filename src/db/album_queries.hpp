#pragma once
// The album lists of getAlbumList2 and the REST API other than the whole catalogue newest first (which
// CatalogRepository::list_albums answers): by title, artist, year, genre, plays, recent listens, stars,
// ratings, at random, and within a music folder.
#include <vector>

#include "db/page_keys.hpp"
#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// One page of albums in q's order; deep pages of the unfiltered orders start from `keys`' sampled keys.
std::vector<model::Album> query_albums(Connection& c, PageKeys& keys, const model::AlbumQuery& q);

}  // namespace st::db
