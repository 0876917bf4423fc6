#pragma once
// The columns catalogue queries select (tracks with their artist and album joined, albums, artists),
// and their readers.
#include <algorithm>
#include <string>
#include <vector>

#include "db/pg_array.hpp"
#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// The selected columns (of t, ar, al) and the joins that provide ar and al for tracks t.
extern const char* const kTrackColumns;
extern const char* const kTrackJoins;
// "SELECT <columns> FROM tracks t <joins>"
extern const std::string kTrackSelect;

// Reads the track columns starting at column `offset`.
model::Track read_track(const Row& r, std::size_t offset = 0);
// The columns of t alone (kTrackColumns without the artist's name and the album's title and cover), and
// their reader: fill_track_names then gives a list of tracks their names.
extern const char* const kTrackOwnColumns;
inline constexpr std::size_t kTrackOwnColumnCount = 29;
inline constexpr std::size_t kTrackColumnCount = kTrackOwnColumnCount + 3;  // with ar.name, al.title, al.cover_url
model::Track read_track_own(const Row& r, std::size_t offset = 0);
// Sets each track's artist name, album title and cover by looking each distinct artist and album up once:
// a page of 500 songs in the order they were added holds the tracks of ~50 albums (an album's tracks are
// added together), where a join looks 1,000 rows up (PostgreSQL: ~8 µs each). As the join, a track whose
// artist row is missing is left out.
void fill_track_names(Connection& c, std::vector<model::Track>& tracks);

// Albums al (with their artist ar joined) and artists ar.
extern const char* const kAlbumColumns;
extern const char* const kAlbumJoins;
extern const std::string kAlbumSelect;
model::Album read_album(const Row& r);
extern const char* const kArtistColumns;
extern const std::string kArtistSelect;
model::Artist read_artist(const Row& r);

// "?, ?, ..." for an IN list of n values.
std::string placeholders(std::size_t n);

// The length an IN list of n values is given: a power of two up to 256, else 400. A connection keeps each
// distinct statement it ran prepared (until the server is quiet), so lists of every length from 1 to 400 would
// each be one more statement per query shape per connection; padded to these lengths they are at most ten.
std::size_t in_list_length(std::size_t n);

// Calls fn(in_list, params) for each slice of at most 400 ids: "?, ?, ..." and the slice's values (IN
// lists stay well under SQLite's and PostgreSQL's parameter limits), the list padded to in_list_length with
// the slice's last id again (the same set). `leading` values come first.
template <typename Fn>
void for_each_slice(const std::vector<std::string>& ids, Fn&& fn, const std::vector<Value>& leading = {}) {
  constexpr std::size_t kSlice = 400;
  for (std::size_t at = 0; at < ids.size(); at += kSlice) {
    std::vector<Value> params = leading;
    auto n = std::min(kSlice, ids.size() - at);
    auto length = in_list_length(n);
    params.reserve(params.size() + length);
    for (std::size_t i = 0; i < length; ++i) params.push_back(ids[at + std::min(i, n - 1)]);
    fn(placeholders(length), params);
  }
}

// The same for ids of a UUID column, in as few statements as each engine plans cheaply: on PostgreSQL one
// call, "SELECT unnest(CAST(? AS uuid[]))" with the ids as one array value (a statement whose plan does not
// depend on how many ids there are: 400 ids in an IN list cost ~2 ms of planning a query, six queries for a
// 500-song page's stars, ratings and plays); on SQLite for_each_slice.
template <typename Fn>
void for_each_id_set(Dialect d, const std::vector<std::string>& ids, Fn&& fn, const std::vector<Value>& leading = {}) {
  if (d == Dialect::sqlite) return for_each_slice(ids, std::forward<Fn>(fn), leading);
  if (ids.empty()) return;
  std::vector<Value> params = leading;
  params.emplace_back(pg_array(ids));
  fn(std::string("SELECT unnest(CAST(? AS uuid[]))"), params);
}

}  // namespace st::db
