#pragma once
// The album lists of getAlbumList2 and the REST API other than the whole catalogue newest first (which
// CatalogRepository::list_albums answers): by title, artist, year, genre, plays, recent listens, stars,
// ratings, at random, and within a music folder.
#include <vector>

#include "db/folder_counts.hpp"
#include "db/page_keys.hpp"
#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// One page of albums in q's order; deep pages of the unfiltered orders start from `keys`' sampled keys. A music
// folder is weighed by its track count (`folders`): a small one's albums are read from its tracks, a large
// one's are checked album by album (the caller drops a folder holding every track).
std::vector<model::Album> query_albums(Connection& c, PageKeys& keys, FolderCounts& folders, const model::AlbumQuery& q);

}  // namespace st::db
