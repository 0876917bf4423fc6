#pragma once

namespace st::lib::sqlite {

class Database;

// Registers the FTS5 auxiliary function `st_rank(<fts table>)` on the connection: util::search_score of
// the matched row, from the positions FTS5 already holds (without the per-row document-size lookup and
// whole-doclist statistics that bm25() pays for).
//
// It expects the MATCH expression in pairs of phrases, one pair per query word, exact then prefix:
//   ("love" OR "love"*) AND ("night" OR "night"*)
// A MATCH of another shape is scored per phrase, as prefixes. Throws Error when FTS5 is unavailable.
void register_search_rank(Database& db);

}  // namespace st::lib::sqlite
