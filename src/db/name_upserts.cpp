#include "db/name_upserts.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "db/multi_row_insert.hpp"
#include "db/random_picks.hpp"
#include "db/track_columns.hpp"
#include "util/fold.hpp"

namespace st::db {

namespace {

// The rows of `select` ("SELECT <columns>, <match key> FROM <table>") whose `key` column holds one of the keys
// (one array on PostgreSQL, IN lists on SQLite), read by `read` and placed in the order of `keyed`.
// `key_column`: the match key's column in the result.
template <class Entity, class Keyed, class Read>
std::vector<Entity> read_back(Connection& c, const std::vector<Keyed>& keyed, const std::string& select,
                              std::string_view key, std::size_t key_column, Read&& read) {
  std::vector<std::string> keys;
  keys.reserve(keyed.size());
  for (const auto& k : keyed) keys.push_back(k.first);
  std::map<std::string, Entity, std::less<>> found;
  auto collect = [&](const std::string& sql, const std::vector<Value>& params) {
    for (const auto& r : c.query(sql, params).rows) found.emplace(r.text(key_column), read(r));
  };
  if (c.dialect() == Dialect::postgres) {
    std::vector<Value> params{Value(pg_array(keys))};
    collect(fmt::format("{} WHERE {} = ANY(CAST(? AS text[]))", select, key), params);
  } else {
    for_each_slice(keys, [&](const std::string& marks, const std::vector<Value>& params) {
      collect(fmt::format("{} WHERE {} IN ({})", select, key, marks), params);
    });
  }
  std::vector<Entity> out;
  out.reserve(keyed.size());
  for (const auto& k : keyed) {
    auto it = found.find(k.first);
    if (it == found.end()) throw std::runtime_error("a settled name's row is missing: " + k.first);
    out.push_back(it->second);
  }
  return out;
}

}  // namespace

std::vector<model::Artist> upsert_artists_on(Connection& c, const std::vector<std::pair<std::string, model::Artist>>& keyed) {
  insert_rows(
      c, "INSERT INTO artists (id, match_key, name, musicbrainz_id, search_text, created_at) VALUES ", 6, keyed.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const auto& [key, a] = keyed[i];
        v.insert(v.end(), {a.id, key, a.name, opt(a.musicbrainz_id), util::fold_for_search(a.name), a.created_at});
      },
      " ON CONFLICT (match_key) DO NOTHING");
  // kArtistColumns has 6 columns: the match key is the 7th.
  return read_back<model::Artist>(c, keyed, fmt::format("SELECT {}, ar.match_key FROM artists ar", kArtistColumns),
                                  "ar.match_key", 6, [](const Row& r) { return read_artist(r); });
}

std::vector<model::Album> upsert_albums_on(Connection& c, const std::vector<std::pair<std::string, model::Album>>& keyed) {
  insert_rows(
      c,
      "INSERT INTO albums (id, match_key, title, artist_id, release_date, musicbrainz_id, genre, year, "
      "is_compilation, search_text, created_at, shuffle) VALUES ",
      12, keyed.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const auto& [key, a] = keyed[i];
        v.insert(v.end(), {a.id, key, a.title, a.artist_id, opt(a.release_date), opt(a.musicbrainz_id), opt(a.genre),
                           opt(a.year), a.is_compilation, util::fold_for_search(a.title + " " + a.artist_name),
                           a.created_at, shuffle_key()});
      },
      " ON CONFLICT (match_key) DO NOTHING");
  // kAlbumColumns has 11 columns: the match key is the 12th.
  return read_back<model::Album>(c, keyed,
                                 fmt::format("SELECT {}, al.match_key FROM albums al {}", kAlbumColumns, kAlbumJoins),
                                 "al.match_key", 11, [](const Row& r) { return read_album(r); });
}

}  // namespace st::db
