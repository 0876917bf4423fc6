#pragma once
// Catalogue search: the ranked windows of tracks, albums and artists matching every folded word, read with
// their joins. From the in-memory index when one answers (db/search_index.hpp); otherwise each table's
// matches are counted and scored by util::search_score (SQLite: in FTS5 by st_rank; PostgreSQL: here, from
// the matched rows' search text).
#include <array>
#include <string>
#include <vector>

#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

class SearchIndexes;

// `pages` in the order tracks, albums, artists; a page of per_page 0 is not wanted. `index` may be null.
model::SearchHits catalog_search(Connection& c, SearchIndexes* index, const std::vector<std::string>& words,
                                 const std::array<model::Page, 3>& pages);

}  // namespace st::db
