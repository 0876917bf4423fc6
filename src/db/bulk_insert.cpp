#include "db/bulk_insert.hpp"

#include <vector>

namespace st::db {

TriggersOff::~TriggersOff() {
  if (on_) return;
  try {
    c_.enable_triggers(true);
  } catch (...) {  // the connection reports itself unhealthy from now on
  }
}

void track_insert_triggers_work(Connection& c, std::int64_t last_rowid, std::int64_t inserted) {
  // tracks_fts_insert (migration 0008) and tracks_search_log_insert (0025): one range for the search index.
  c.query("INSERT INTO tracks_fts (rowid, search_text) SELECT rowid, search_text FROM tracks WHERE rowid > ?", {last_rowid});
  c.query("INSERT INTO search_log (tbl, first_doc, last_doc) SELECT 0, ? + 1, MAX(rowid) FROM tracks "
          "HAVING MAX(rowid) > ?",
          {last_rowid, last_rowid});
  // tracks_shuffle_insert: a shuffle key for the rows given none.
  c.query("UPDATE tracks SET shuffle = random() WHERE rowid > ? AND shuffle IS NULL", {last_rowid});
  // totals_track_insert (0017, 0033) and totals_duration_insert (0031): a track and a version a row, the time
  // of the change, and their durations.
  c.query("UPDATE catalog_totals SET n = n + ?, version = version + ?, "
          "changed_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER) WHERE name = 'tracks'",
          {inserted, inserted});
  c.query("UPDATE catalog_totals SET n = n + (SELECT COALESCE(SUM(CAST(round(duration_secs * 1000000) AS INTEGER)), 0) "
          "FROM tracks WHERE rowid > ?) WHERE name = 'duration_us'",
          {last_rowid});
  // totals_facts_insert (0034): the batch's bytes, and its tracks with a MusicBrainz id and with a bitrate.
  c.query("UPDATE catalog_totals SET n = n + (SELECT CASE catalog_totals.name WHEN 'track_bytes' THEN "
          "COALESCE(SUM(file_size), 0) WHEN 'tracks_enriched' THEN COUNT(musicbrainz_id) ELSE COUNT(bitrate) END "
          "FROM tracks WHERE rowid > ?) WHERE name IN ('track_bytes', 'tracks_enriched', 'tracks_with_bitrate')",
          {last_rowid});
  // genre_track_insert: per genre its tracks, and its albums that held no track of that genre before (counted
  // before genre_albums gains them; a genre_albums row always holds at least one track). genre_albums' own
  // triggers run: the connection's triggers are on again.
  c.query("INSERT INTO genre_counts (genre, tracks, albums) SELECT t.genre, COUNT(*), COUNT(DISTINCT CASE WHEN "
          "t.album_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM genre_albums ga WHERE ga.genre = t.genre AND "
          "ga.album_id = t.album_id) THEN t.album_id END) FROM tracks t WHERE t.rowid > ? AND t.genre IS NOT NULL "
          "AND t.genre <> '' GROUP BY t.genre "
          "ON CONFLICT (genre) DO UPDATE SET tracks = tracks + excluded.tracks, albums = albums + excluded.albums",
          {last_rowid});
  c.query("INSERT INTO genre_albums (genre, album_id, tracks) SELECT genre, album_id, COUNT(*) FROM tracks "
          "WHERE rowid > ? AND genre IS NOT NULL AND genre <> '' AND album_id IS NOT NULL GROUP BY genre, album_id "
          "ON CONFLICT (genre, album_id) DO UPDATE SET tracks = tracks + excluded.tracks",
          {last_rowid});
  // p2p_log_insert (0003): our own tracks with a hash (not replicas) are offered to peers, in row order.
  c.query("INSERT INTO p2p_catalog_log (track_id, content_hash, changed_at) SELECT id, content_hash, "
          "unixepoch() * 1000000 FROM tracks WHERE rowid > ? AND content_hash IS NOT NULL AND "
          "file_path NOT LIKE 'p2p://%' ORDER BY rowid",
          {last_rowid});
}

}  // namespace st::db
