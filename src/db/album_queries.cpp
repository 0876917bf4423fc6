#include "db/album_queries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "db/catalog_totals.hpp"
#include "db/keyed_orders.hpp"
#include "db/path_under.hpp"
#include "db/random_picks.hpp"
#include "db/track_columns.hpp"

namespace st::db {

namespace {

// An album of `alias` al is of a genre (bound twice) when one of its tracks carries it (genre_albums,
// migration 0017) or its own tag says so (index albums_genre, migration 0023). On PostgreSQL the first test
// is a scalar subquery (genre_albums' key gives at most one row): an EXISTS under OR is planned as a hash of
// every album of the genre, built per request (34,699 albums: 35 ms a page, against 1.7 ms probing the key
// for each album the title index walks past).
const char* album_of_genre(Dialect d) {
  return d == Dialect::sqlite
             ? "(EXISTS (SELECT 1 FROM genre_albums ga WHERE ga.genre = ? AND ga.album_id = al.id) OR al.id IN "
               "(SELECT id FROM albums WHERE genre = ?))"
             : "((SELECT true FROM genre_albums ga WHERE ga.genre = ? AND ga.album_id = al.id) IS NOT NULL OR al.id IN "
               "(SELECT id FROM albums WHERE genre = ?))";
}

// Subsonic's alphabetical album list: folded title, then the artist's folded name (migration 0019).
const KeyedOrder kAlbumsByFoldedTitle{"albums:folded_title", "albums al JOIN artists ar ON ar.id = al.artist_id",
                                      {"lower(al.title)", "lower(ar.name)", "al.id"}, {false, false, false}, false,
                                      {"albums", "artists"}, true, {}, {}, 100};
// Subsonic's albums by artist: the artist's folded name, the year (albums without one last), the folded
// title (indexes artists_name_lower and albums_artist_cover, migrations 0002 and 0020).
const KeyedOrder kAlbumsByArtist{"albums:by_artist", "albums al JOIN artists ar ON ar.id = al.artist_id",
                                 {"lower(ar.name)", "COALESCE(al.year, 2147483647)", "lower(al.title)", "al.id"},
                                 {false, true, false, false}, false, {"albums", "artists"}, true, {}, {}, 100};
}  // namespace

std::vector<model::Album> query_albums(Connection& c, PageKeys& keys, FolderCounts& folders, const model::AlbumQuery& q) {
  bool sqlite = c.dialect() == Dialect::sqlite;
  // The orderings answered from sampled keys (deep pages skip fewer than their stride's rows).
  const KeyedOrder* keyed = nullptr;
  if (!q.genre) {
    if (q.order == model::AlbumOrder::title) keyed = &kAlbumsByFoldedTitle;
    if (q.order == model::AlbumOrder::artist) keyed = &kAlbumsByArtist;
    if (q.order == model::AlbumOrder::newest) keyed = &kAlbumsNewest;
  }
  bool folder_as_set = false;
  if (q.path_prefix) {
    // A music folder's albums, one of two ways, whichever reads fewer rows (as for a genre's below): walking
    // the ordering and checking each album for a track in the folder (cheap for a folder holding most of
    // the library; seconds at a million tracks for a folder holding a few), or its albums as a set read
    // through the path index, then ordered.
    auto walked = keyed ? keyed->walked(q.offset) : q.offset;
    folder_as_set = read_folder_as_set(folders.tracks_under(c, *q.path_prefix), maintained_total(c, "tracks"),
                                       walked + q.limit, 10.0);
  }
  if (keyed && !folder_as_set) {
    // By title, artist or newest, the whole catalogue or a folder holding most of it: a deep page starts from
    // a sampled key (a folder's keys are sampled among its albums), and only the page's ids are walked with
    // their joins before the rows are read.
    std::string where = " WHERE 1 = 1";
    std::vector<Value> params;
    auto order_of = *keyed;
    if (q.path_prefix) {
      order_of.name += ":under:" + *q.path_prefix;
      order_of.versions.insert(order_of.versions.end(), {"tracks", "track_paths"});
      order_of.filter = " WHERE EXISTS (SELECT 1 FROM tracks ft WHERE ft.album_id = al.id AND " +
                        path_starts("ft.file_path", *q.path_prefix, order_of.filter_params) + ")";
      where += " AND" + order_of.filter.substr(6);
      params = order_of.filter_params;
    }
    PageEnd end;
    auto skip = keys.seek(c, order_of, q.offset, where, params, q.limit, &end);
    if (!skip) return {};
    auto order = order_of.order_by();
    auto read = [&](const PageEnd& bound) {
      auto values = params;
      values.insert(values.end(), bound.params.begin(), bound.params.end());
      values.push_back(q.limit);
      values.push_back(*skip);
      std::vector<model::Album> out;
      for (const auto& r : c.query(kAlbumSelect + " WHERE al.id IN (SELECT al.id FROM " + order_of.from + where +
                                       bound.where + order + " LIMIT ? OFFSET ?)" + order,
                                   values)
                               .rows)
        out.push_back(read_album(r));
      return out;
    };
    auto out = read(end);
    // Short within the bound: albums before it went or moved after the keys were sampled (in the moment
    // between reading the versions and the page).
    if (!end.where.empty() && static_cast<std::int64_t>(out.size()) < q.limit) out = read(PageEnd{});
    return out;
  }
  if (q.order == model::AlbumOrder::title && q.genre && !q.path_prefix) {
    // Albums of a genre by folded title (ties by id: the artist's name would need every passing row read),
    // one of two ways, whichever reads fewer albums:
    //  - walking the title index, looking each album up in genre_albums (its tracks' genres, migration
    //    0017) or among the albums tagged with the genre (index albums_genre, migration 0023): about
    //    (offset + limit) * albums / k albums for a genre of k albums, so cheap for the first pages of a
    //    common genre and slow for a rare one (44 ms for a genre of 30 albums among 100,000);
    //  - reading the genre's k albums and sorting them: k albums whatever the page.
    // A deep page's walk starts from keys sampled among the genre's albums (below).
    // Only the page's ids are chosen so; its rows are read with their joins after.
    auto tally = c.query("SELECT COALESCE((SELECT albums FROM genre_counts WHERE genre = ?), 0) + "
                          "(SELECT COUNT(*) FROM albums WHERE genre = ?)",
                          {*q.genre, *q.genre})
                     .rows.at(0)
                     .integer(0);
    auto all = std::max<std::int64_t>(1, maintained_total(c, "albums"));
    // A deep page's walk starts from a sampled key: fewer than a stride of the genre's albums before the
    // page are walked past.
    auto walked = kAlbumsByTitle.walked(q.offset);
    bool sort_the_genre = static_cast<double>(tally) * static_cast<double>(tally) <=
                          static_cast<double>(walked + q.limit) * static_cast<double>(all);
    std::string order = " ORDER BY lower(al.title), al.id";
    std::vector<Value> params{*q.genre, *q.genre};
    // The genre's albums as a set: read from genre_albums' primary key and the genre tag's index.
    const std::string members =
        " WHERE al.id IN (SELECT album_id FROM genre_albums WHERE genre = ? UNION SELECT id FROM albums WHERE genre = ?)";
    std::string ids;
    std::int64_t skip = q.offset;
    if (sort_the_genre) {
      ids = "SELECT al.id FROM albums al" + members;
    } else {
      // Deep pages of the walk start from the genre's sampled keys (page_keys.hpp), read again when an
      // album or the genre's membership changes (migration 0028). The keys are sampled by sorting the
      // genre's albums: 330 ms for 34,699 of 100,000 albums, once per change (walking every album's title
      // took 430 ms).
      KeyedOrder titles{"albums:genre_title:" + *q.genre, "albums al", {"lower(al.title)", "al.id"}, {false, false},
                        false, {"albums", "genre_albums"}, true, members, params, 100};
      std::string from = std::string("albums al") + (sqlite ? " INDEXED BY albums_title_lower" : "");
      std::string where = std::string(" WHERE ") + album_of_genre(c.dialect());
      auto start = keys.seek(c, titles, q.offset, where, params);
      if (!start) return {};
      skip = *start;
      ids = "SELECT al.id FROM " + from + where;
    }
    params.push_back(q.limit);
    params.push_back(skip);
    std::vector<model::Album> out;
    for (const auto& r : c.query(kAlbumSelect + " WHERE al.id IN (" + ids + order + " LIMIT ? OFFSET ?)" + order,
                                  params)
                             .rows)
      out.push_back(read_album(r));
    return out;
  }
  std::string where = " WHERE 1 = 1";
  std::string from = kAlbumSelect;
  std::vector<Value> params;
  std::string order = " ORDER BY al.created_at DESC, al.id DESC";
  switch (q.order) {
    case model::AlbumOrder::newest: break;
    case model::AlbumOrder::random: order = " ORDER BY random()"; break;
    case model::AlbumOrder::title: order = " ORDER BY lower(al.title), lower(ar.name), al.id"; break;
    case model::AlbumOrder::artist: order = kAlbumsByArtist.order_by(); break;
    case model::AlbumOrder::year: {
      int lo = q.from_year.value_or(0), hi = q.to_year.value_or(9999);
      bool down = lo > hi;
      if (down) std::swap(lo, hi);
      where += " AND al.year >= ? AND al.year <= ?";
      params.push_back(static_cast<std::int64_t>(lo));
      params.push_back(static_cast<std::int64_t>(hi));
      order = down ? " ORDER BY al.year DESC, lower(al.title), al.id" : " ORDER BY al.year, lower(al.title), al.id";
      break;
    }
    case model::AlbumOrder::frequent:
      from = fmt::format(
          // Only played tracks are read, through the play-count index (SQLite, without statistics, would
          // walk every track in album order to group them).
          "SELECT {} FROM albums al {} JOIN (SELECT album_id, SUM(play_count) AS plays FROM tracks {}"
          "WHERE play_count > 0 AND album_id IS NOT NULL GROUP BY album_id) p ON p.album_id = al.id",
          kAlbumColumns, kAlbumJoins, sqlite ? "INDEXED BY tracks_play_count " : "");
      where += " AND p.plays > 0";
      order = " ORDER BY p.plays DESC, al.id";
      break;
    case model::AlbumOrder::recent:
      from = fmt::format(
          "SELECT {} FROM albums al {} JOIN (SELECT t.album_id, MAX(h.listened_at) AS last FROM listen_history h "
          "JOIN tracks t ON t.id = h.track_id WHERE h.user_id = ? AND t.album_id IS NOT NULL GROUP BY t.album_id) "
          "p ON p.album_id = al.id",
          kAlbumColumns, kAlbumJoins);
      params.push_back(q.user_id);
      order = " ORDER BY p.last DESC, al.id";
      break;
    case model::AlbumOrder::starred:
      from = fmt::format("SELECT {} FROM albums al {} JOIN stars s ON s.item_id = al.id AND s.item_kind = 'album' "
                         "AND s.user_id = ?",
                         kAlbumColumns, kAlbumJoins);
      params.push_back(q.user_id);
      order = " ORDER BY s.created_at DESC, al.id";
      break;
    case model::AlbumOrder::highest:
      from = fmt::format(
          "SELECT {} FROM albums al {} JOIN ratings r ON r.item_id = al.id AND r.item_kind = 'album' "
          "AND r.user_id = ?",
          kAlbumColumns, kAlbumJoins);
      params.push_back(q.user_id);
      order = " ORDER BY r.rating DESC, r.updated_at DESC, al.id";
      break;
  }
  if (q.path_prefix && folder_as_set) {
    where += " AND al.id IN (SELECT ft.album_id FROM tracks ft WHERE " +
             path_under(c.dialect(), "ft.file_path", *q.path_prefix, params) + ")";
  } else if (q.path_prefix) {
    // A large folder: most albums the ordering walks have a track in it, found at their first tracks.
    where += " AND EXISTS (SELECT 1 FROM tracks ft WHERE ft.album_id = al.id AND " +
             path_starts("ft.file_path", *q.path_prefix, params) + ")";
  }
  if (q.genre) {
    where += std::string(" AND ") + album_of_genre(c.dialect());
    params.push_back(*q.genre);
    params.push_back(*q.genre);
  }
  std::vector<model::Album> out;
  if (q.order == model::AlbumOrder::random && !folder_as_set && !q.genre) {
    // Probes of the random key instead of sorting every album (a random list has no pages to keep).
    auto ids = random_picks(c, sqlite ? "albums al INDEXED BY albums_shuffle" : "albums al",
                            "al", where, params, q.limit);
    if (static_cast<std::int64_t>(ids.size()) == q.limit) {
      std::map<std::string, model::Album> found;
      for_each_slice(ids, [&](const std::string& in, const std::vector<Value>& slice) {
        for (const auto& r : c.query(kAlbumSelect + " WHERE al.id IN (" + in + ")", slice).rows) {
          auto a = read_album(r);
          found.emplace(a.id, std::move(a));
        }
      });
      for (const auto& id : ids)
        if (auto it = found.find(id); it != found.end()) out.push_back(std::move(it->second));
      return out;
    }
  }
  params.push_back(q.limit);
  params.push_back(q.offset);
  for (const auto& r : c.query(from + where + order + " LIMIT ? OFFSET ?", params).rows) out.push_back(read_album(r));
  return out;
}

}  // namespace st::db
