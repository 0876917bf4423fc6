#include "db/track_writes.hpp"

#include <stdexcept>

#include "db/bulk_insert.hpp"
#include "db/hash_lookup.hpp"
#include "db/multi_row_insert.hpp"
#include "db/random_picks.hpp"
#include "util/fold.hpp"

namespace st::db {

namespace {

std::vector<Value> track_values(const model::Track& t) {
  return {t.title,
          t.artist_id,
          opt(t.album_id),
          opt(t.track_number),
          opt(t.track_total),
          opt(t.disc_number),
          opt(t.disc_total),
          t.duration_secs,
          opt(t.genre),
          opt(t.year),
          opt(t.musicbrainz_id),
          t.file_path,
          t.file_size,
          t.file_mtime,
          t.format,
          opt(t.bitrate),
          opt(t.sample_rate),
          opt(t.channels),
          opt(t.bit_depth),
          opt(t.replaygain_track_gain),
          opt(t.replaygain_track_peak),
          opt(t.replaygain_album_gain),
          opt(t.replaygain_album_peak),
          opt(t.lyrics),
          opt(t.content_hash),
          util::fold_for_search(t.title + " " + t.artist_name + " " + t.album_title.value_or(""))};
}

constexpr std::string_view kInsertTrack =
    "INSERT INTO tracks (id, title, artist_id, album_id, track_number, track_total, disc_number, disc_total, "
    "duration_secs, genre, year, musicbrainz_id, file_path, file_size, file_mtime, format, bitrate, "
    "sample_rate, channels, bit_depth, replaygain_track_gain, replaygain_track_peak, replaygain_album_gain, "
    "replaygain_album_peak, lyrics, content_hash, search_text, uploaded_by, created_at, shuffle) VALUES ";
// One row's 30 placeholders.
constexpr std::string_view kTrackRow =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

void append_insert_values(std::vector<Value>& out, const model::Track& t) {
  out.push_back(t.id);
  for (auto& v : track_values(t)) out.push_back(std::move(v));
  out.push_back(opt(t.uploaded_by));
  out.push_back(t.created_at);
  out.push_back(shuffle_key());
}

}  // namespace

void insert_track_on(Connection& c, const model::Track& t) {
  std::vector<Value> values;
  values.reserve(30);
  append_insert_values(values, t);
  c.query(std::string(kInsertTrack) + std::string(kTrackRow), values);
}

void insert_tracks_on(Connection& c, const std::vector<const model::Track*>& tracks) {
  BulkWrite bulk(c, tracks.size());
  if (c.dialect() == Dialect::postgres) {
    // PostgreSQL: many rows a statement, so that the statement-level triggers of tracks (migration 0032)
    // move each counter row once a statement, not once a row.
    insert_rows(c, kInsertTrack, 30, tracks.size(),
                [&](std::size_t i, std::vector<Value>& v) { append_insert_values(v, *tracks[i]); });
    return;
  }
  if (tracks.size() < 2) {
    for (const auto* t : tracks) insert_track_on(c, *t);
    return;
  }
  // SQLite, many rows: the rows go in with the connection's triggers off (each trigger a row was a program
  // frame and a statement or three: about half the time of a replica's insert), then what the INSERT
  // triggers of tracks do is done once for the batch (db/bulk_insert.hpp). New rows take rowids above the
  // largest one (tracks has no AUTOINCREMENT and never nears 2^63).
  auto last_rowid = c.query("SELECT COALESCE(MAX(rowid), 0) FROM tracks").rows.front().integer(0);
  {
    TriggersOff off(c);
    for (const auto* t : tracks) insert_track_on(c, *t);
    off.restore();
  }
  track_insert_triggers_work(c, last_rowid, static_cast<std::int64_t>(tracks.size()));
}

// One replica per content hash without a unique index on the bytes (a replica's file_path, p2p://<its id>,
// grows at the end of the path index instead of at 20,000 random places a page): the tracks already holding a
// page's bytes are read inside the write transaction, which no other replica insert shares (SQLite has one
// writer; PostgreSQL takes a transaction advisory lock), and only the others go in.
std::map<std::string, std::string> insert_replicas_on(Connection& c, const std::vector<model::Track>& replicas) {
  std::map<std::string, std::string> skipped;  // content hash -> the track that holds those bytes
  std::map<std::string, std::string> held;
  if (c.dialect() == Dialect::postgres) c.exec_script("SELECT pg_advisory_xact_lock(7310002)");
  std::vector<std::string> hashes;
  hashes.reserve(replicas.size());
  for (const auto& t : replicas) hashes.push_back(t.content_hash.value_or(""));
  for_tracks_holding(c, hashes, [&](const std::string& hash, const std::string& id, const std::string&) {
    held.emplace(hash, id);  // the oldest
  });
  std::vector<const model::Track*> fresh;
  fresh.reserve(replicas.size());
  for (const auto& t : replicas) {
    if (!t.content_hash) throw std::invalid_argument("a replica without a content hash");
    auto [it, added] = held.emplace(*t.content_hash, t.id);  // twice in the page: the first goes in
    if (added) fresh.push_back(&t);
    else skipped.emplace(it->first, it->second);
  }
  insert_tracks_on(c, fresh);
  return skipped;
}

void update_track_file_on(Connection& c, const model::Track& t) {
  auto values = track_values(t);
  values.push_back(t.id);
  c.query(
      "UPDATE tracks SET title = ?, artist_id = ?, album_id = ?, track_number = ?, track_total = ?, "
      "disc_number = ?, disc_total = ?, duration_secs = ?, genre = ?, year = ?, musicbrainz_id = ?, "
      "file_path = ?, file_size = ?, file_mtime = ?, format = ?, bitrate = ?, sample_rate = ?, channels = ?, "
      "bit_depth = ?, replaygain_track_gain = ?, replaygain_track_peak = ?, replaygain_album_gain = ?, "
      "replaygain_album_peak = ?, lyrics = ?, content_hash = ?, search_text = ? WHERE id = ?",
      values);
}

}  // namespace st::db
