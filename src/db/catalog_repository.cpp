#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <set>
#include <memory>
#include <mutex>

#include "db/album_queries.hpp"
#include "db/bulk_insert.hpp"
#include "db/catalog_search.hpp"
#include "db/catalog_totals.hpp"
#include "db/folder_counts.hpp"
#include "db/folder_listing.hpp"
#include "db/hash_lookup.hpp"
#include "db/keyed_orders.hpp"
#include "db/multi_row_insert.hpp"
#include "db/name_upserts.hpp"
#include "db/orphans.hpp"
#include "db/page_keys.hpp"
#include "db/path_under.hpp"
#include "db/random_tracks.hpp"
#include "db/repositories.hpp"
#include "db/search_index.hpp"
#include "db/track_columns.hpp"
#include "db/track_writes.hpp"
#include "util/fold.hpp"
#include "util/time.hpp"

namespace st::db {

namespace {

class SqlCatalogRepository final : public model::CatalogRepository {
 public:
  explicit SqlCatalogRepository(Pool& pool)
      : pool_(pool), search_index_(std::make_unique<SearchIndexes>(pool)) {}
  using model::CatalogRepository::search;

  model::Artist upsert_artist(std::string_view key, const model::Artist& a) override {
    auto c = pool_.acquire();
    return upsert_artists_on(*c, {{std::string(key), a}}).at(0);
  }

  model::Album upsert_album(std::string_view key, const model::Album& a) override {
    auto c = pool_.acquire();
    return upsert_albums_on(*c, {{std::string(key), a}}).at(0);
  }

  std::vector<model::Artist> upsert_artists(const std::vector<std::pair<std::string, model::Artist>>& keyed) override {
    std::vector<model::Artist> out;
    transaction(pool_, [&](Connection& c) { out = upsert_artists_on(c, keyed); });
    return out;
  }

  std::vector<model::Album> upsert_albums(const std::vector<std::pair<std::string, model::Album>>& keyed) override {
    std::vector<model::Album> out;
    transaction(pool_, [&](Connection& c) { out = upsert_albums_on(c, keyed); });
    return out;
  }

  void set_album_cover(std::string_view album_id, std::string_view url, bool only_if_missing) override {
    auto c = pool_.acquire();
    c->query(only_if_missing ? "UPDATE albums SET cover_url = ? WHERE id = ? AND cover_url IS NULL"
                             : "UPDATE albums SET cover_url = ? WHERE id = ?",
             {std::string(url), std::string(album_id)});
  }

  void insert_track(const model::Track& t) override {
    auto c = pool_.acquire();
    insert_track_on(*c, t);
  }

  void insert_tracks(const std::vector<model::Track>& tracks) override {
    std::vector<const model::Track*> all;
    all.reserve(tracks.size());
    for (const auto& t : tracks) all.push_back(&t);
    transaction(pool_, [&](Connection& c) { insert_tracks_on(c, all); });
  }

  // (Replicas: see db/track_writes.hpp.)
  std::map<std::string, std::string> insert_replicas(const std::vector<model::Track>& replicas) override {
    std::map<std::string, std::string> skipped;
    transaction(pool_, [&](Connection& c) { skipped = insert_replicas_on(c, replicas); });
    return skipped;
  }

  void update_track_file(const model::Track& t) override {
    auto c = pool_.acquire();
    update_track_file_on(*c, t);
  }

  void update_track_files(const std::vector<model::Track>& tracks) override {
    transaction(pool_, [&](Connection& c) {
      for (const auto& t : tracks) update_track_file_on(c, t);
    });
  }

  std::optional<model::Track> find_track(std::string_view id) override {
    return one_track(kTrackSelect + " WHERE t.id = ?", {std::string(id)});
  }

  std::optional<model::StreamSource> stream_source(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT file_path, format, content_hash, duration_secs FROM tracks WHERE id = ?",
                         {std::string(id)});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows.rows.front();
    return model::StreamSource{r.text(0), r.text(1), r.opt_text(2), r.real(3)};
  }

  std::optional<model::Track> find_track_by_hash(std::string_view hash) override {
    return one_track(kTrackSelect + " WHERE " + hash_is("t.content_hash") + " ORDER BY t.created_at LIMIT 1",
                     {std::string(hash), std::string(hash)});
  }

  std::optional<model::KnownFile> find_by_path(std::string_view path) override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT id, file_size, file_mtime FROM tracks WHERE file_path = ?", {std::string(path)});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows.rows.front();
    return model::KnownFile{r.text(0), r.integer(1), r.integer(2)};
  }

  // A moved track's old album and artist go with it when it was their last track (in the same transaction: no
  // reader sees the track regrouped and the emptied artist still listed).
  void update_track_fields(std::string_view id, const model::TrackChanges& ch) override {
    transaction(pool_, [&](Connection& c) {
      std::string track(id);
      Holders left;
      if (ch.artist_id || ch.album_id) left = holders_of(c, track);
      c.query(
          "UPDATE tracks SET title = COALESCE(?, title), genre = COALESCE(?, genre), year = COALESCE(?, year), "
          "track_number = COALESCE(?, track_number), disc_number = COALESCE(?, disc_number), "
          "artist_id = COALESCE(?, artist_id), album_id = COALESCE(?, album_id) WHERE id = ?",
          {opt(ch.title), opt(ch.genre), opt(ch.year), opt(ch.track_number), opt(ch.disc_number), opt(ch.artist_id),
           opt(ch.album_id), track});
      if (!(ch.title || ch.artist_id || ch.album_id)) return;
      auto rows = c.query(kTrackSelect + " WHERE t.id = ?", {track});
      if (rows.empty()) return;
      auto t = read_track(rows.rows.front());
      c.query("UPDATE tracks SET search_text = ? WHERE id = ?",
              {util::fold_for_search(t.title + " " + t.artist_name + " " + t.album_title.value_or("")), t.id});
      // What the track still belongs to is not empty.
      std::erase(left.artists, t.artist_id);
      if (t.album_id) std::erase(left.albums, *t.album_id);
      prune_emptied(c, left);
    });
  }

  std::optional<std::string> waveform(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT waveform_data FROM tracks WHERE id = ?", {std::string(id)});
    if (rows.empty()) return std::nullopt;
    return rows.rows.front().opt_text(0);
  }

  void set_waveform(std::string_view id, const std::string& json) override {
    auto c = pool_.acquire();
    c->query("UPDATE tracks SET waveform_data = ? WHERE id = ?", {json, std::string(id)});
  }

  std::vector<std::pair<std::string, model::KnownFile>> known_files_under(std::string_view prefix) override {
    auto c = pool_.acquire();
    // Prefix match without LIKE (whose wildcards a folder name could contain).
    std::vector<Value> params;
    auto under = path_under(c->dialect(), "file_path", std::string(prefix), params);
    auto rows = c->query("SELECT file_path, id, file_size, file_mtime FROM tracks WHERE " + under, params);
    std::vector<std::pair<std::string, model::KnownFile>> out;
    for (const auto& r : rows.rows) out.emplace_back(r.text(0), model::KnownFile{r.text(1), r.integer(2), r.integer(3)});
    return out;
  }

  std::vector<model::KnownPath> known_files_page(std::string_view prefix, std::string_view after,
                                                 std::int64_t limit) override {
    auto c = pool_.acquire();
    // Keyset paging on the file_path index: each page starts where the last one ended.
    auto rows = c->query(
        "SELECT file_path, file_size, file_mtime FROM tracks WHERE file_path > ? AND substr(file_path, 1, "
        "length(CAST(? AS TEXT))) = ? ORDER BY file_path LIMIT ?",
        {std::string(after), std::string(prefix), std::string(prefix), limit});
    std::vector<model::KnownPath> out;
    out.reserve(rows.rows.size());
    for (const auto& r : rows.rows) out.push_back({r.text(0), r.integer(1), r.integer(2)});
    return out;
  }

  void set_measured_gain(std::string_view id, double gain_db, double peak) override {
    auto c = pool_.acquire();
    c->query("UPDATE tracks SET replaygain_track_gain = ?, replaygain_track_peak = ? "
             "WHERE id = ? AND replaygain_track_gain IS NULL",
             {gain_db, peak, std::string(id)});
  }

  void delete_track(std::string_view id) override {
    transaction(pool_, [&](Connection& c) {
      std::string track(id);
      auto left = holders_of(c, track);
      if (c.query("DELETE FROM tracks WHERE id = ?", {track}).affected > 0) prune_emptied(c, left);
    });
  }

  void prune_orphans() override {
    transaction(pool_, [](Connection& c) { prune_all_orphans(c); });
  }

  model::Paged<model::Track> list_tracks(const model::TrackFilter& f, model::TrackOrder order,
                                         model::Page page) override {
    std::string where = " WHERE 1 = 1";
    std::vector<Value> params;
    if (f.genre) where += " AND t.genre = ?", params.push_back(*f.genre);
    if (f.uploaded_by) where += " AND t.uploaded_by = ?", params.push_back(*f.uploaded_by);
    if (f.artist_id) where += " AND t.artist_id = ?", params.push_back(*f.artist_id);
    if (f.album_id) where += " AND t.album_id = ?", params.push_back(*f.album_id);
    // Each order matches an index exactly (tie-breakers included), so a page never sorts the table.
    const KeyedOrder* keyed = nullptr;
    switch (order) {
      case model::TrackOrder::newest: keyed = &kTracksNewest; break;
      case model::TrackOrder::most_played: keyed = &kTracksPopular; break;
      case model::TrackOrder::random: break;
      case model::TrackOrder::title: keyed = &kTracksByTitle; break;
      case model::TrackOrder::added: keyed = &kTracksAdded; break;
    }
    // A folder (a library): alone, its count is kept (folder_counts.hpp); holding every track (the usual
    // single library) it is no filter at all; holding few, its rows are a range of the path index; holding
    // most, the ordering's index is walked and each path tested.
    bool only_folder = f.path_prefix && !f.genre && !f.uploaded_by && !f.artist_id && !f.album_id;
    std::optional<std::int64_t> in_folder;
    std::int64_t all = 0;  // the library's tracks, read when a folder is weighed against them
    auto c = pool_.acquire();
    if (only_folder) {
      in_folder = folder_counts_.tracks_under(*c, *f.path_prefix);
      all = maintained_total(*c, "tracks");
      auto walked = keyed ? keyed->walked(page.offset()) : page.offset();
      if (*in_folder == all)
        only_folder = false;
      else if (read_folder_as_set(*in_folder, all, walked + page.per_page, 1.0))
        where += " AND " + path_under(c->dialect(), "t.file_path", *f.path_prefix, params);
      else  // most of the library: walk the ordering's index, testing each path (the range would sort them all)
        where += " AND " + path_starts("t.file_path", *f.path_prefix, params);
    } else if (f.path_prefix) {
      where += " AND " + path_under(c->dialect(), "t.file_path", *f.path_prefix, params);
    }
    std::string order_by = keyed ? keyed->order_by() : " ORDER BY random()";
    model::Paged<model::Track> out;
    // Totals kept by triggers (migration 0017) where one answers the filter; otherwise an exact count
    // through the filter's index.
    bool only_genre = f.genre && !f.genre->empty() && !f.uploaded_by && !f.artist_id && !f.album_id && !f.path_prefix;
    bool has_filter = !params.empty();
    if (in_folder)
      out.total = *in_folder;
    else if (!has_filter)
      out.total = maintained_total(*c, "tracks");
    else if (only_genre)
      out.total = genre_tracks(*c, *f.genre);
    else
      out.total = c->query("SELECT COUNT(*) FROM tracks t" + where, params).rows.at(0).integer(0);
    if (order == model::TrackOrder::random && !f.uploaded_by && !f.album_id) {
      // A random list has no pages to keep: probes of the random key (random_tracks) instead of sorting every
      // track (1.9 s at a million).
      model::RandomQuery q;
      if (f.genre) q.genres = {*f.genre};
      q.artist_id = f.artist_id;
      q.path_prefix = f.path_prefix;
      q.limit = page.per_page;
      out.items = random_tracks_on(*c, q);
      return out;
    }
    // An unfiltered deep page starts from a sampled key of its ordering instead of skipping every row
    // before it.
    auto offset = page.offset();
    if (keyed && !has_filter) {
      auto skip = page_keys_.seek(*c, *keyed, offset, where, params);
      if (!skip) return out;
      offset = *skip;
    } else if (keyed && only_folder) {
      // A folder holding part of the library: keys sampled among the folder's tracks; the page walks the
      // ordering's index from one, skipping other folders' tracks on the way.
      KeyedOrder folder = *keyed;
      folder.name += ":under:" + *f.path_prefix;
      folder.versions.push_back("track_paths");
      // (Sampled from the path index's range for a folder of under a quarter of the tracks, else by walking
      // the ordering: sorting most of a million rows costs more than walking them all in order.)
      folder.filter = " WHERE " + (*in_folder * 4 < all
                                       ? path_under(c->dialect(), "t.file_path", *f.path_prefix, folder.filter_params)
                                       : path_starts("t.file_path", *f.path_prefix, folder.filter_params));
      auto skip = page_keys_.seek(*c, folder, offset, where, params);
      if (!skip) return out;
      offset = *skip;
    }
    params.push_back(page.per_page);
    params.push_back(offset);
    // The page's tracks alone (the OFFSET walks the ordering's index and the tracks, never joined rows), then
    // the names of their artists and albums, each looked up once (fill_track_names). SQLite finds the page's
    // rows by rowid, which the ordering's index holds (a third of a 500-track page's time against looking
    // each id up in the id index); PostgreSQL reads them in the index's order (500 look-ups of random ids in
    // the primary key took 18 of a 500-track page's 33 ms).
    std::string sql;
    if (order != model::TrackOrder::random && c->dialect() == Dialect::sqlite)
      sql = fmt::format("SELECT {0} FROM tracks t WHERE t.rowid IN (SELECT t.rowid FROM tracks t{1}{2} "
                        "LIMIT ? OFFSET ?){2}",
                        kTrackOwnColumns, where, order_by);
    else
      sql = fmt::format("SELECT {} FROM tracks t{}{} LIMIT ? OFFSET ?", kTrackOwnColumns, where, order_by);
    auto rows = c->query(sql, params);
    out.items.reserve(rows.rows.size());
    for (const auto& r : rows.rows) out.items.push_back(read_track_own(r));
    fill_track_names(*c, out.items);
    return out;
  }

  model::Paged<model::Album> list_albums(model::Page page, bool newest_first) override {
    auto c = pool_.acquire();
    model::Paged<model::Album> out;
    out.total = maintained_total(*c, "albums");
    const auto& keyed = newest_first ? kAlbumsNewest : kAlbumsByTitle;
    std::string where = " WHERE 1 = 1";
    std::vector<Value> params;
    auto skip = page_keys_.seek(*c, keyed, page.offset(), where, params);
    if (!skip) return out;
    params.push_back(page.per_page);
    params.push_back(*skip);
    // Deferred join, as for tracks: the skipped rows are index entries, not joined rows.
    auto order = keyed.order_by();
    for (const auto& r : c->query(kAlbumSelect + " WHERE al.id IN (SELECT al.id FROM albums al" + where + order +
                                      " LIMIT ? OFFSET ?)" + order,
                                  params)
                             .rows)
      out.items.push_back(read_album(r));
    return out;
  }

  std::vector<model::Track> album_tracks(std::string_view album_id) override {
    auto c = pool_.acquire();
    std::vector<model::Track> out;
    for (const auto& r : c->query(kTrackSelect +
                                      " WHERE t.album_id = ? ORDER BY COALESCE(t.disc_number, 1), "
                                      "COALESCE(t.track_number, 0), t.title",
                                  {std::string(album_id)})
                             .rows)
      out.push_back(read_track(r));
    return out;
  }

  std::optional<model::Album> find_album(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query(kAlbumSelect + " WHERE al.id = ?", {std::string(id)});
    if (rows.empty()) return std::nullopt;
    return read_album(rows.rows.front());
  }

  model::Paged<model::Artist> list_artists(model::Page page) override {
    auto c = pool_.acquire();
    model::Paged<model::Artist> out;
    out.total = maintained_total(*c, "artists");
    std::string where = " WHERE 1 = 1";
    std::vector<Value> params;
    auto skip = page_keys_.seek(*c, kArtistsByName, page.offset(), where, params);
    if (!skip) return out;
    params.push_back(page.per_page);
    params.push_back(*skip);
    for (const auto& r : c->query(kArtistSelect + where + kArtistsByName.order_by() + " LIMIT ? OFFSET ?", params).rows)
      out.items.push_back(read_artist(r));
    return out;
  }

  // Artists by their tracks' plays, then (plays 0) by name. The played tracks are read through the
  // play-count index and the unplayed artists walked by name, instead of summing every track's plays (4 s at
  // a million tracks).
  std::vector<model::Artist> top_artists(std::int64_t limit) override {
    bool sqlite = pool_.dialect() == Dialect::sqlite;
    auto out = artists_where(fmt::format(" JOIN (SELECT artist_id, SUM(play_count) AS plays FROM tracks {}WHERE "
                                         "play_count > 0 GROUP BY artist_id) p ON p.artist_id = ar.id "
                                         "ORDER BY p.plays DESC, ar.name, ar.id LIMIT ?",
                                         sqlite ? "INDEXED BY tracks_play_count " : ""),
                             limit);
    if (static_cast<std::int64_t>(out.size()) >= limit) return out;
    for (auto& a : artists_where(" WHERE EXISTS (SELECT 1 FROM tracks t WHERE t.artist_id = ar.id) AND NOT EXISTS "
                                 "(SELECT 1 FROM tracks t WHERE t.artist_id = ar.id AND t.play_count > 0) "
                                 "ORDER BY ar.name, ar.id LIMIT ?",
                                 limit - static_cast<std::int64_t>(out.size())))
      out.push_back(std::move(a));
    return out;
  }

  std::vector<model::Artist> random_artists(std::int64_t limit) override {
    return artists_where(" ORDER BY random() LIMIT ?", limit);
  }

  std::vector<model::Artist> artists_where(const std::string& tail, std::int64_t limit) {
    auto c = pool_.acquire();
    std::vector<model::Artist> out;
    for (const auto& r : c->query(kArtistSelect + tail, {limit}).rows) out.push_back(read_artist(r));
    return out;
  }

  std::optional<model::Artist> find_artist(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query(kArtistSelect + " WHERE ar.id = ?", {std::string(id)});
    if (rows.empty()) return std::nullopt;
    return read_artist(rows.rows.front());
  }

  std::vector<model::Album> artist_albums(std::string_view artist_id) override {
    auto c = pool_.acquire();
    std::vector<model::Album> out;
    for (const auto& r : c->query(kAlbumSelect +
                                      " WHERE al.artist_id = ? ORDER BY al.year DESC NULLS LAST, al.title",
                                  {std::string(artist_id)})
                             .rows)
      out.push_back(read_album(r));
    return out;
  }

  std::vector<std::string> genres() override {
    auto c = pool_.acquire();
    std::vector<std::string> out;
    for (const auto& r : c->query("SELECT genre FROM genre_counts ORDER BY genre").rows) out.push_back(r.text(0));
    return out;
  }

  model::SearchHits search(const std::vector<std::string>& words, model::Page artists, model::Page albums,
                           model::Page tracks) override {
    if (words.empty()) return {};
    auto c = pool_.acquire();
    return catalog_search(*c, search_index_.get(), words, {tracks, albums, artists});
  }

  void prepare_search() override {
    if (search_index_) search_index_->prepare();
  }

  model::SearchIndexStatus search_index_status() override {
    if (!search_index_) return {};
    bool ready = search_index_->ready();
    return {true, ready, ready ? static_cast<std::int64_t>(search_index_->documents()) : 0,
            ready ? static_cast<std::int64_t>(search_index_->memory_bytes()) : 0};
  }

  // Kept by triggers (migrations 0017 and 0034): rows of catalog_totals, not scans of every track.
  model::MetadataCounts metadata_counts() override {
    auto c = pool_.acquire();
    std::map<std::string, std::int64_t> n;
    for (const auto& r : c->query("SELECT name, n FROM catalog_totals WHERE name IN ('tracks', 'tracks_enriched', "
                                  "'tracks_with_bitrate', 'albums', 'albums_with_cover', 'track_bytes')")
                             .rows)
      n[r.text(0)] = r.integer(1);
    return {n["tracks"], n["tracks_enriched"], n["tracks_with_bitrate"], n["albums"], n["albums_with_cover"],
            n["track_bytes"]};
  }

  std::vector<model::TrackFile> track_files(std::string_view after_id, std::int64_t limit) override {
    auto c = pool_.acquire();
    std::vector<model::TrackFile> out;
    auto rows = after_id.empty()
                    ? c->query("SELECT id, title, file_path, file_size FROM tracks ORDER BY id LIMIT ?", {limit})
                    : c->query("SELECT id, title, file_path, file_size FROM tracks WHERE id > ? ORDER BY id LIMIT ?",
                               {std::string(after_id), limit});
    for (const auto& r : rows.rows) out.push_back({r.text(0), r.text(1), r.text(2), r.integer(3)});
    return out;
  }

  std::vector<model::Track> random_tracks(const model::RandomQuery& q) override {
    auto c = pool_.acquire();
    return random_tracks_on(*c, q);
  }

  std::vector<std::string> artist_genres(std::string_view artist_id) override {
    auto c = pool_.acquire();
    std::vector<std::string> out;
    for (const auto& r : c->query("SELECT DISTINCT genre FROM tracks WHERE artist_id = ? AND genre IS NOT NULL "
                                  "AND genre <> '' ORDER BY genre",
                                  {std::string(artist_id)})
                             .rows)
      out.push_back(r.text(0));
    return out;
  }

  model::CatalogCounts counts() override {
    auto c = pool_.acquire();
    auto r = c->query(
                  "SELECT (SELECT n FROM catalog_totals WHERE name = 'tracks'), (SELECT n FROM catalog_totals WHERE "
                  "name = 'albums'), (SELECT n FROM catalog_totals WHERE name = 'artists'), (SELECT COUNT(*) FROM "
                  "genre_counts), COALESCE((SELECT n FROM catalog_totals WHERE name = 'duration_us'), 0)")
                 .rows.at(0);
    return {r.integer(0), r.integer(1), r.integer(2), r.integer(3), static_cast<double>(r.integer(4)) / 1e6};
  }

  std::vector<model::Album> query_albums(const model::AlbumQuery& asked) override {
    auto q = asked;
    {
      // A music folder holding every track (the usual single one) is no filter.
      auto c = pool_.acquire();
      if (q.path_prefix && folder_counts_.tracks_under(*c, *q.path_prefix) == maintained_total(*c, "tracks"))
        q.path_prefix.reset();
    }
    // The whole catalogue newest first: the REST list's path (sampled page keys, deferred join).
    if (q.order == model::AlbumOrder::newest && !q.path_prefix && !q.genre)
      return list_albums(model::Page::window(q.offset, q.limit), true).items;
    auto c = pool_.acquire();
    return db::query_albums(*c, page_keys_, folder_counts_, q);
  }

  std::map<std::string, model::AlbumSummary> album_summaries(const std::vector<std::string>& ids) override {
    std::map<std::string, model::AlbumSummary> out;
    if (ids.empty()) return out;
    auto c = pool_.acquire();
    for_each_id_set(c->dialect(), ids, [&](const std::string& in, const std::vector<Value>& params) {
      auto rows = c->query("SELECT album_id, COUNT(*), COALESCE(SUM(duration_secs), 0), COALESCE(SUM(play_count), 0) "
                           "FROM tracks WHERE album_id IN (" + in + ") GROUP BY album_id",
                           params);
      for (const auto& r : rows.rows) out[r.text(0)] = {r.integer(1), r.real(2), r.integer(3)};
    });
    return out;
  }

  std::shared_ptr<const std::vector<model::ArtistWithAlbums>> album_artists() override {
    auto c = pool_.acquire();
    // The version first: a list read after it is at least as new as the version it is kept under.
    auto version = c->query("SELECT version FROM catalog_totals WHERE name = 'artist_index'").rows.at(0).integer(0);
    {
      std::lock_guard lk(artist_index_mu_);
      if (artist_index_ && artist_index_version_ == version) return artist_index_;
    }
    // Read without the lock (requests waiting on it would each hold a connection); right after a change
    // two requests may both read it, and the newer version is kept.
    auto out = std::make_shared<std::vector<model::ArtistWithAlbums>>();
    // The tallies are kept per artist by triggers (migration 0024); the folded-name index gives the order.
    auto rows = c->query(fmt::format("SELECT {}, n.albums, n.covered FROM artists ar JOIN artist_album_tally n ON "
                                     "n.artist_id = ar.id ORDER BY lower(ar.name), ar.id",
                                     kArtistColumns));
    out->reserve(rows.rows.size());
    for (const auto& r : rows.rows) out->push_back({read_artist(r), r.integer(6), r.integer(7) > 0});
    std::lock_guard lk(artist_index_mu_);
    if (!artist_index_ || version >= artist_index_version_) {
      artist_index_ = std::move(out);
      artist_index_version_ = version;
      return artist_index_;
    }
    return out;
  }

  void drop_caches() override {
    folder_listings_.clear();
    std::lock_guard lk(artist_index_mu_);
    artist_index_.reset();
    artist_index_version_ = -1;
  }

  std::map<std::string, model::ArtistTally> artist_tallies(const std::vector<std::string>& ids) override {
    std::map<std::string, model::ArtistTally> out;
    if (ids.empty()) return out;
    auto c = pool_.acquire();
    // Kept per artist by triggers (migration 0024).
    for_each_id_set(c->dialect(), ids, [&](const std::string& in, const std::vector<Value>& params) {
      for (const auto& r : c->query("SELECT artist_id, albums, covered FROM artist_album_tally WHERE artist_id IN (" +
                                        in + ")",
                                    params)
                               .rows)
        out[r.text(0)] = {r.integer(1), r.integer(2) > 0};
    });
    return out;
  }

  std::vector<model::Artist> find_artists_by_name(std::string_view name) override {
    auto c = pool_.acquire();
    std::vector<model::Artist> out;
    for (const auto& r : c->query(kArtistSelect + " WHERE lower(ar.name) = lower(?) ORDER BY ar.id", {std::string(name)}).rows)
      out.push_back(read_artist(r));
    return out;
  }

  std::vector<model::GenreCount> genre_counts() override {
    auto c = pool_.acquire();
    std::vector<model::GenreCount> out;
    for (const auto& r : c->query("SELECT genre, tracks, albums FROM genre_counts ORDER BY genre").rows)
      out.push_back({r.text(0), r.integer(1), r.integer(2)});
    return out;
  }

  std::vector<model::Track> tracks_in_folder(std::string_view folder, std::int64_t limit) override {
    auto prefix = folder_prefix(folder);
    auto c = pool_.acquire();
    // The folder's entries by skipping through the path index (folder_listing.hpp), then those that are
    // files: a library root's own few files without reading the million below it.
    const char* no_slash_after = c->dialect() == Dialect::postgres
                                     ? "strpos(substr(s.p, length(CAST(? AS TEXT)) + 1), '/') = 0"
                                     : "instr(substr(s.p, length(CAST(? AS TEXT)) + 1), '/') = 0";
    std::vector<Value> params;
    auto steps = folder_steps(c->dialect(), prefix, params);
    params.push_back(prefix);
    params.push_back(limit);
    auto sql = steps + "SELECT " + kTrackColumns + " FROM step s JOIN tracks t ON t.file_path = s.p " + kTrackJoins +
               " WHERE s.p IS NOT NULL AND " + no_slash_after + " ORDER BY t.file_path LIMIT ?";
    std::vector<model::Track> out;
    for (const auto& r : c->query(sql, params).rows) out.push_back(read_track(r));
    return out;
  }

  std::shared_ptr<const model::FolderEntries> folder_entries(std::string_view folder) override {
    auto c = pool_.acquire();
    return folder_listings_.entries(*c, folder_prefix(folder));
  }

  void ignore_file(std::string_view path, std::int64_t size, std::int64_t mtime, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO ignored_files (file_path, file_size, file_mtime, created_at) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (file_path) DO UPDATE SET file_size = excluded.file_size, file_mtime = excluded.file_mtime, "
             "created_at = excluded.created_at",
             {std::string(path), size, mtime, now});
  }

  void unignore_file(std::string_view path) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM ignored_files WHERE file_path = ?", {std::string(path)});
  }

  std::vector<std::pair<std::string, model::KnownFile>> ignored_under(std::string_view prefix) override {
    auto c = pool_.acquire();
    std::vector<std::pair<std::string, model::KnownFile>> out;
    for (const auto& r : c->query("SELECT file_path, file_size, file_mtime FROM ignored_files WHERE "
                                  "substr(file_path, 1, length(CAST(? AS TEXT))) = ?",
                                  {std::string(prefix), std::string(prefix)})
                             .rows)
      out.emplace_back(r.text(0), model::KnownFile{"", r.integer(1), r.integer(2)});
    return out;
  }

  std::vector<model::Track> tracks_without_waveform(std::string_view after_id, std::int64_t limit) override {
    auto c = pool_.acquire();
    std::vector<model::Track> out;
    // (no "id > ''" on the first page: PostgreSQL ids are uuids, and '' is not one)
    std::string where = " WHERE t.waveform_data IS NULL AND t.file_path NOT LIKE 'p2p://%'";
    auto rows = after_id.empty()
                    ? c->query(kTrackSelect + where + " ORDER BY t.id LIMIT ?", {limit})
                    : c->query(kTrackSelect + where + " AND t.id > ? ORDER BY t.id LIMIT ?", {std::string(after_id), limit});
    for (const auto& r : rows.rows) out.push_back(read_track(r));
    return out;
  }

  std::vector<model::Track> tracks_by_ids(const std::vector<std::string>& ids) override {
    auto c = pool_.acquire();
    return tracks_by_ids_on(*c, ids);
  }

 private:
  std::optional<model::Track> one_track(const std::string& sql, const std::vector<Value>& params) {
    auto c = pool_.acquire();
    auto rows = c->query(sql, params);
    if (rows.empty()) return std::nullopt;
    return read_track(rows.rows.front());
  }

  Pool& pool_;
  std::unique_ptr<SearchIndexes> search_index_;  // search in memory (db/search_index.hpp)
  PageKeys page_keys_;
  FolderCounts folder_counts_;  // tracks under each library root asked for
  FolderListings folder_listings_;  // sub-folders of each folder browsed
  // getArtists' list at catalog_totals' 'artist_index' version (migration 0026), shared by every request.
  std::mutex artist_index_mu_;
  std::shared_ptr<const std::vector<model::ArtistWithAlbums>> artist_index_;
  std::int64_t artist_index_version_ = -1;
};

}  // namespace

std::unique_ptr<model::CatalogRepository> make_catalog_repository(Pool& pool) {
  return std::make_unique<SqlCatalogRepository>(pool);
}

}  // namespace st::db
