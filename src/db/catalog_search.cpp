#include "db/catalog_search.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "db/search_index.hpp"
#include "db/track_columns.hpp"
#include "util/search_score.hpp"

namespace st::db {

model::SearchHits catalog_search(Connection& c, SearchIndexes* index, const std::vector<std::string>& words,
                                 const std::array<model::Page, 3>& pages) {
  model::SearchHits hits;
  if (words.empty()) return hits;
  bool pg = c.dialect() == Dialect::postgres;
  // Reads one table's ranked window with its joins, best first; keys are rowids (SQLite), or on PostgreSQL
  // docs (from the in-memory index, by_doc) or ids (from its own matching).
  auto fetch = [&](const char* table, const char* alias, const std::string& select_cols, const std::string& joins,
                   auto&& read, auto& out, const std::string& keys, bool by_doc) {
    if (keys.empty()) return;
    std::string sql =
        pg ? fmt::format("SELECT {0} FROM unnest(?::{4}[]) WITH ORDINALITY AS hit(k, n) JOIN {1} {2} ON {2}.{5} = "
                         "hit.k {3} ORDER BY hit.n",
                         select_cols, table, alias, joins, by_doc ? "bigint" : "uuid", by_doc ? "doc" : "id")
           // json_each's key is the position in the ranked page.
           : fmt::format("SELECT {0} FROM json_each(?) hit JOIN {1} {2} ON {2}.rowid = hit.value {3} ORDER BY hit.key",
                         select_cols, table, alias, joins);
    for (const auto& r : c.query(sql, {pg ? "{" + keys + "}" : "[" + keys + "]"}).rows) out.push_back(read(r));
  };
  auto fetch_all = [&](const std::array<std::string, 3>& keys, bool by_doc) {
    // Tracks alone, then their artists' and albums' names: PostgreSQL plans a join of four tables for each
    // window anew (~1.8 ms at 1M tracks, more than reading the 20 rows).
    fetch("tracks", "t", kTrackOwnColumns, "", [](const Row& r) { return read_track_own(r); }, hits.tracks, keys[0],
          by_doc);
    fill_track_names(c, hits.tracks);
    fetch("albums", "al", kAlbumColumns, kAlbumJoins, read_album, hits.albums, keys[1], by_doc);
    fetch("artists", "ar", kArtistColumns, "", read_artist, hits.artists, keys[2], by_doc);
  };
  std::array<std::int64_t*, 3> totals = {&hits.total_tracks, &hits.total_albums, &hits.total_artists};
  if (index) {
    std::array<SearchIndexes::Window, 3> windows;
    for (std::size_t i = 0; i < pages.size(); ++i)
      if (pages[i].per_page > 0)
        windows[i] = {static_cast<std::size_t>(std::max<std::int64_t>(0, pages[i].offset())),
                      static_cast<std::size_t>(pages[i].per_page)};
    if (auto ranked = index->query(c, words, windows)) {
      std::array<std::string, 3> keys;
      for (std::size_t i = 0; i < pages.size(); ++i) {
        if (pages[i].per_page <= 0) continue;
        *totals[i] = static_cast<std::int64_t>((*ranked)[i].total);
        for (const auto& h : (*ranked)[i].hits) keys[i] += (keys[i].empty() ? "" : ",") + std::to_string(h.doc);
      }
      fetch_all(keys, /*by_doc=*/true);
      return hits;
    }
  }
  std::string q;
  for (const auto& w : words) {
    if (pg) q += (q.empty() ? "'" : " & '") + w + "':*";
    // Each word as a whole word or as a prefix: the pair st_rank expects (lib/sqlite/search_rank.hpp).
    else q += fmt::format("{}(\"{}\" OR \"{}\"*)", q.empty() ? "" : " AND ", w, w);
  }
  // Without the in-memory index (while it is built, or when it cannot be): per table, every match is counted
  // and scored by util::search_score (SQLite: in FTS5 by st_rank, from the positions it holds; PostgreSQL:
  // here, from the matched rows' search text); only the requested page is then read with its joins.
  const std::array<const char*, 3> tables = {"tracks", "albums", "artists"}, aliases = {"t", "al", "ar"};
  std::array<std::string, 3> keys;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    auto page = pages[i];
    if (page.per_page <= 0) continue;
    struct Hit {
      std::int64_t score;
      std::int64_t rowid;  // SQLite's tie-break; PostgreSQL's is the id
      std::string key;
    };
    std::vector<Hit> ranked;
    if (pg) {
      auto matches = c.query(fmt::format("SELECT {1}.id, {1}.search_text FROM {0} {1} WHERE "
                                          "to_tsvector('simple', {1}.search_text) @@ to_tsquery('simple', ?)",
                                          tables[i], aliases[i]),
                              {q})
                         .rows;
      ranked.reserve(matches.size());
      for (const auto& m : matches)
        ranked.push_back({util::search_score(util::match_words(m.opt_text(1).value_or(""), words)), 0, m.text(0)});
    } else {
      auto cells = c.query_integers(
          fmt::format("SELECT rowid, st_rank({0}_fts) FROM {0}_fts WHERE {0}_fts MATCH ?", tables[i]), {q});
      ranked.reserve(cells.size() / 2);
      for (std::size_t j = 0; j + 1 < cells.size(); j += 2) ranked.push_back({cells[j + 1], cells[j], {}});
    }
    *totals[i] = static_cast<std::int64_t>(ranked.size());
    auto from = std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, page.offset())));
    auto to = std::min<std::size_t>(ranked.size(), from + static_cast<std::size_t>(page.per_page));
    if (from == to) continue;
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(to), ranked.end(),
                      [](const Hit& a, const Hit& b) {
                        if (a.score != b.score) return a.score > b.score;
                        return a.rowid != b.rowid ? a.rowid < b.rowid : a.key < b.key;
                      });
    for (auto j = from; j < to; ++j)
      keys[i] += (j == from ? "" : ",") + (pg ? ranked[j].key : std::to_string(ranked[j].rowid));
  }
  fetch_all(keys, /*by_doc=*/false);
  return hits;
}

}  // namespace st::db
