#include "db/random_tracks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "db/catalog_totals.hpp"
#include "db/path_under.hpp"
#include "db/random_picks.hpp"
#include "db/track_columns.hpp"

namespace st::db {

std::vector<model::Track> tracks_by_ids_on(Connection& c, const std::vector<std::string>& ids) {
  std::vector<model::Track> read;
  for_each_id_set(c.dialect(), ids, [&](const std::string& set, const std::vector<Value>& params) {
    for (const auto& r :
         c.query(fmt::format("SELECT {} FROM tracks t WHERE t.id IN ({})", kTrackOwnColumns, set), params).rows)
      read.push_back(read_track_own(r));
  });
  fill_track_names(c, read);
  std::unordered_map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < read.size(); ++i) at.emplace(read[i].id, i);
  std::vector<model::Track> out;
  out.reserve(ids.size());
  for (const auto& id : ids)
    if (auto it = at.find(id); it != at.end()) out.push_back(read[it->second]);
  return out;
}

namespace {
// Probing the random key pays over at least this many matching rows per song asked for.
constexpr std::int64_t kRowsPerProbedPick = 8;
}  // namespace

std::vector<model::Track> random_tracks_on(Connection& c, const model::RandomQuery& q) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  auto any_of = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    where += std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) {
      where += i ? ", ?" : "?";
      params.push_back(values[i]);
    }
    where += ")";
  };
  if (q.artist_id) where += " AND t.artist_id = ?", params.push_back(*q.artist_id);
  if (q.not_artist_id) where += " AND t.artist_id <> ?", params.push_back(*q.not_artist_id);
  any_of("t.artist_id", q.artist_ids);
  any_of("t.genre", q.genres);
  if (q.year_min) where += " AND t.year >= ?", params.push_back(static_cast<std::int64_t>(*q.year_min));
  if (q.year_max) where += " AND t.year <= ?", params.push_back(static_cast<std::int64_t>(*q.year_max));
  // (SQLite: a range of the path index, so that a small folder's few tracks are read alone.)
  if (q.path_prefix) where += " AND " + path_under(c.dialect(), "t.file_path", *q.path_prefix, params);
  if (!q.exclude.empty()) {
    where += " AND t.id NOT IN (";
    for (std::size_t i = 0; i < q.exclude.size(); ++i) {
      where += i ? ", ?" : "?";
      params.push_back(q.exclude[i]);
    }
    where += ")";
  }
  std::vector<model::Track> out;
  // A filter that most tracks pass (none, a common genre, not an artist, a few exclusions), over rows that far
  // outnumber the picks: probes of the random key. Narrow ones (an artist, a folder, years, a rare genre) and
  // small libraries: their few rows, shuffled (probes would mostly meet rows already picked or wrap past the
  // end, two statements each: 200 statements for 50 songs of a 12-track library).
  const std::int64_t few = kRowsPerProbedPick * q.limit;
  bool broad = !q.artist_id && q.artist_ids.empty() && !q.year_min && !q.year_max;
  std::int64_t total = broad ? maintained_total(c, "tracks") : 0;
  broad = broad && total >= few;
  if (broad && !q.genres.empty()) {
    std::int64_t matching = 0;
    for (const auto& g : q.genres) matching += genre_tracks(c, g);
    broad = matching * 100 >= total && matching >= few;
  }
  if (broad && q.path_prefix) {
    // A music folder (getRandomSongs' musicFolderId): broad when it holds at least 1% of the tracks, counted
    // no further than that (sorting a whole-library folder's million tracks by random() took seconds).
    auto enough = std::max(total / 100 + 1, few);
    std::vector<Value> p;
    auto under = path_under(c.dialect(), "file_path", *q.path_prefix, p);
    p.push_back(enough);
    broad = c.query("SELECT COUNT(*) FROM (SELECT 1 FROM tracks WHERE " + under + " LIMIT ?) x", p).rows.at(0).integer(0) >=
            enough;
  }
  if (broad) {
    auto ids = random_picks(c, c.dialect() == Dialect::sqlite ? "tracks t INDEXED BY tracks_shuffle" : "tracks t", "t",
                            where, params, q.limit);
    if (static_cast<std::int64_t>(ids.size()) == q.limit) {
      out = tracks_by_ids_on(c, ids);
      return out;
    }
  }
  params.push_back(q.limit);
  for (const auto& r : c.query(kTrackSelect + where + " ORDER BY random() LIMIT ?", params).rows)
    out.push_back(read_track(r));
  return out;
}

}  // namespace st::db
