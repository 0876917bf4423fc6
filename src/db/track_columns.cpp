#include "db/track_columns.hpp"

#include <fmt/format.h>

#include <unordered_map>

namespace st::db {

#define ST_TRACK_OWN_COLUMNS                                                                                   \
  "t.id, t.title, t.artist_id, t.album_id, t.track_number, t.track_total, t.disc_number, t.disc_total, "       \
  "t.duration_secs, t.genre, t.year, t.musicbrainz_id, t.file_path, t.file_size, t.file_mtime, t.format, "    \
  "t.bitrate, t.sample_rate, t.channels, t.bit_depth, t.replaygain_track_gain, t.replaygain_track_peak, "     \
  "t.replaygain_album_gain, t.replaygain_album_peak, t.lyrics, t.uploaded_by, t.play_count, t.content_hash, " \
  "t.created_at"
const char* const kTrackOwnColumns = ST_TRACK_OWN_COLUMNS;
const char* const kTrackColumns = ST_TRACK_OWN_COLUMNS ", ar.name, al.title, al.cover_url";
#undef ST_TRACK_OWN_COLUMNS

const char* const kTrackJoins = "JOIN artists ar ON ar.id = t.artist_id LEFT JOIN albums al ON al.id = t.album_id";

const std::string kTrackSelect = std::string("SELECT ") + kTrackColumns + " FROM tracks t " + kTrackJoins;

model::Track read_track_own(const Row& r, std::size_t o) {
  model::Track t;
  t.id = r.text(o + 0);
  t.title = r.text(o + 1);
  t.artist_id = r.text(o + 2);
  t.album_id = r.opt_text(o + 3);
  t.track_number = r.opt_int(o + 4);
  t.track_total = r.opt_int(o + 5);
  t.disc_number = r.opt_int(o + 6);
  t.disc_total = r.opt_int(o + 7);
  t.duration_secs = r.real(o + 8);
  t.genre = r.opt_text(o + 9);
  t.year = r.opt_int(o + 10);
  t.musicbrainz_id = r.opt_text(o + 11);
  t.file_path = r.text(o + 12);
  t.file_size = r.integer(o + 13);
  t.file_mtime = r.integer(o + 14);
  t.format = r.text(o + 15);
  t.bitrate = r.opt_int(o + 16);
  t.sample_rate = r.opt_int(o + 17);
  t.channels = r.opt_int(o + 18);
  t.bit_depth = r.opt_int(o + 19);
  t.replaygain_track_gain = r.opt_real(o + 20);
  t.replaygain_track_peak = r.opt_real(o + 21);
  t.replaygain_album_gain = r.opt_real(o + 22);
  t.replaygain_album_peak = r.opt_real(o + 23);
  t.lyrics = r.opt_text(o + 24);
  t.uploaded_by = r.opt_text(o + 25);
  t.play_count = r.integer(o + 26);
  t.content_hash = r.opt_text(o + 27);
  t.created_at = r.integer(o + 28);
  return t;
}

model::Track read_track(const Row& r, std::size_t o) {
  auto t = read_track_own(r, o);
  t.artist_name = r.text(o + kTrackOwnColumnCount);
  t.album_title = r.opt_text(o + kTrackOwnColumnCount + 1);
  t.cover_url = r.opt_text(o + kTrackOwnColumnCount + 2);
  return t;
}

void fill_track_names(Connection& c, std::vector<model::Track>& tracks) {
  if (tracks.empty()) return;
  std::vector<std::string> artist_ids, album_ids;
  for (const auto& t : tracks) {
    artist_ids.push_back(t.artist_id);
    if (t.album_id) album_ids.push_back(*t.album_id);
  }
  for (auto* ids : {&artist_ids, &album_ids}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  std::unordered_map<std::string, std::string> artist_names;
  struct AlbumNames {
    std::string title;
    std::optional<std::string> cover_url;
  };
  std::unordered_map<std::string, AlbumNames> albums;
  if (c.dialect() == Dialect::postgres) {
    // One round trip for both: a uuid[] each (an empty one matches nothing).
    auto rows = c.query(
        "SELECT 0, id, name, NULL FROM artists WHERE id IN (SELECT unnest(CAST(? AS uuid[]))) UNION ALL "
        "SELECT 1, id, title, cover_url FROM albums WHERE id IN (SELECT unnest(CAST(? AS uuid[])))",
        {pg_array(artist_ids), pg_array(album_ids)});
    for (const auto& r : rows.rows) {
      if (r.integer(0) == 0)
        artist_names.emplace(r.text(1), r.text(2));
      else
        albums.emplace(r.text(1), AlbumNames{r.text(2), r.opt_text(3)});
    }
  } else {  // in-process statements: IN lists of a few lengths (for_each_slice)
    for_each_slice(artist_ids, [&](const std::string& in, const std::vector<Value>& params) {
      for (const auto& r : c.query("SELECT id, name FROM artists WHERE id IN (" + in + ")", params).rows)
        artist_names.emplace(r.text(0), r.text(1));
    });
    for_each_slice(album_ids, [&](const std::string& in, const std::vector<Value>& params) {
      for (const auto& r : c.query("SELECT id, title, cover_url FROM albums WHERE id IN (" + in + ")", params).rows)
        albums.emplace(r.text(0), AlbumNames{r.text(1), r.opt_text(2)});
    });
  }
  // As the join: a track without its artist row is left out; one without its album row has no album title.
  std::size_t kept = 0;
  for (auto& t : tracks) {
    auto artist = artist_names.find(t.artist_id);
    if (artist == artist_names.end()) continue;
    t.artist_name = artist->second;
    if (t.album_id) {
      if (auto album = albums.find(*t.album_id); album != albums.end()) {
        t.album_title = album->second.title;
        t.cover_url = album->second.cover_url;
      }
    }
    if (&t != &tracks[kept]) tracks[kept] = std::move(t);
    ++kept;
  }
  tracks.resize(kept);
}

const char* const kAlbumColumns =
    "al.id, al.title, al.artist_id, ar.name, al.release_date, al.cover_url, al.musicbrainz_id, al.genre, "
    "al.year, al.is_compilation, al.created_at";
const char* const kAlbumJoins = "JOIN artists ar ON ar.id = al.artist_id";
const std::string kAlbumSelect = fmt::format("SELECT {} FROM albums al {}", kAlbumColumns, kAlbumJoins);

model::Album read_album(const Row& r) {
  model::Album a;
  a.id = r.text(0);
  a.title = r.text(1);
  a.artist_id = r.text(2);
  a.artist_name = r.text(3);
  a.release_date = r.opt_text(4);
  a.cover_url = r.opt_text(5);
  a.musicbrainz_id = r.opt_text(6);
  a.genre = r.opt_text(7);
  a.year = r.opt_int(8);
  a.is_compilation = r.boolean(9);
  a.created_at = r.integer(10);
  return a;
}

const char* const kArtistColumns = "ar.id, ar.name, ar.musicbrainz_id, ar.bio, ar.image_url, ar.created_at";
const std::string kArtistSelect = fmt::format("SELECT {} FROM artists ar", kArtistColumns);

model::Artist read_artist(const Row& r) {
  model::Artist a;
  a.id = r.text(0);
  a.name = r.text(1);
  a.musicbrainz_id = r.opt_text(2);
  a.bio = r.opt_text(3);
  a.image_url = r.opt_text(4);
  a.created_at = r.integer(5);
  return a;
}

std::size_t in_list_length(std::size_t n) {
  if (n > 256) return std::max<std::size_t>(n, 400);
  std::size_t length = 1;
  while (length < n) length *= 2;
  return length;
}

std::string placeholders(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

}  // namespace st::db
