#include "lib/sqlite/search_rank.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <span>

#include "lib/sqlite/database.hpp"
#include "lib/sqlite/error.hpp"
#include "util/search_score.hpp"

namespace st::lib::sqlite {

namespace {

constexpr int kMaxWords = 32;

// Adds the occurrences of one phrase in the current row to `m`.
void add_hits(const Fts5ExtensionApi* api, Fts5Context* ctx, int phrase, util::WordMatch& m, bool whole) {
  Fts5PhraseIter it;
  int col = -1, off = -1;
  if (api->xPhraseFirst(ctx, phrase, &it, &col, &off) != SQLITE_OK) return;
  for (; col >= 0; api->xPhraseNext(ctx, &it, &col, &off)) m.add(off, whole);
}

void st_rank(const Fts5ExtensionApi* api, Fts5Context* ctx, sqlite3_context* out, int, sqlite3_value**) {
  int phrases = api->xPhraseCount(ctx);
  bool paired = phrases % 2 == 0;
  int words = std::min(kMaxWords, paired ? phrases / 2 : phrases);
  std::array<util::WordMatch, kMaxWords> matches;
  for (int w = 0; w < words; ++w) {
    auto& m = matches[static_cast<std::size_t>(w)];
    add_hits(api, ctx, paired ? 2 * w + 1 : w, m, false);
    if (paired) {
      util::WordMatch exact;
      add_hits(api, ctx, 2 * w, exact, true);
      m.whole = exact.count > 0;
    }
  }
  sqlite3_result_int64(out, util::search_score(std::span(matches.data(), static_cast<std::size_t>(words))));
}

}  // namespace

void register_search_rank(Database& db) {
  sqlite3* h = db.handle();
  fts5_api* fts = nullptr;
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, nullptr);
  if (rc != SQLITE_OK) throw_error(h, rc, "FTS5 is not available");
  sqlite3_bind_pointer(st, 1, static_cast<void*>(&fts), "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (!fts || fts->iVersion < 2) throw_error(h, SQLITE_ERROR, "FTS5 is not available");
  rc = fts->xCreateFunction(fts, "st_rank", nullptr, st_rank, nullptr);
  if (rc != SQLITE_OK) throw_error(h, rc, "registering st_rank");
}

}  // namespace st::lib::sqlite
