#include "db/orphans.hpp"

#include <algorithm>
#include <string>

#include "db/track_columns.hpp"

namespace st::db {

namespace {

constexpr const char* kAlbumEmpty = "NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = albums.id)";
constexpr const char* kArtistEmpty =
    "NOT EXISTS (SELECT 1 FROM tracks t WHERE t.artist_id = artists.id) "
    "AND NOT EXISTS (SELECT 1 FROM albums a WHERE a.artist_id = artists.id)";

void add(std::vector<std::string>& to, std::optional<std::string> id) {
  if (id && std::find(to.begin(), to.end(), *id) == to.end()) to.push_back(std::move(*id));
}

std::string id_list(std::size_t n) { return "id IN (" + placeholders(n) + ")"; }

// Deletes the rows of `table` among `ids` for which `empty` holds.
void delete_empty(Connection& c, const char* table, std::vector<std::string> ids, const char* empty) {
  if (ids.empty()) return;
  std::string t(table);
  if (c.dialect() == Dialect::postgres) {
    // Only the rows no other transaction holds: one adding a track to the album or artist holds it (its foreign
    // key's share lock) and will have it non-empty; waiting for it could deadlock (it waits for the catalogue
    // counters' lock this transaction already has).
    auto locked = c.query("SELECT id FROM " + t + " WHERE " + id_list(ids.size()) + " FOR UPDATE SKIP LOCKED",
                          std::vector<Value>(ids.begin(), ids.end()));
    ids.clear();
    for (const auto& r : locked.rows) ids.push_back(r.text(0));
    if (ids.empty()) return;
  }
  c.query("DELETE FROM " + t + " WHERE " + id_list(ids.size()) + " AND " + empty,
          std::vector<Value>(ids.begin(), ids.end()));
}

}  // namespace

Holders holders_of(Connection& c, const std::string& track_id) {
  auto rows = c.query(
      "SELECT t.artist_id, t.album_id, a.artist_id FROM tracks t LEFT JOIN albums a ON a.id = t.album_id "
      "WHERE t.id = ?",
      {track_id});
  Holders h;
  if (rows.empty()) return h;
  const auto& r = rows.rows.front();
  add(h.artists, r.opt_text(0));
  add(h.albums, r.opt_text(1));
  add(h.artists, r.opt_text(2));
  return h;
}

void prune_emptied(Connection& c, const Holders& h) {
  delete_empty(c, "albums", h.albums, kAlbumEmpty);
  delete_empty(c, "artists", h.artists, kArtistEmpty);
}

void prune_all_orphans(Connection& c) {
  c.query(std::string("DELETE FROM albums WHERE ") + kAlbumEmpty);
  c.query(std::string("DELETE FROM artists WHERE ") + kArtistEmpty);
}

}  // namespace st::db
