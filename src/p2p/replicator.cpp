#include "p2p/replicator.hpp"

#include "library/metadata.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::p2p {

namespace {

std::string clean(const std::string& s, const char* fallback) {
  auto t = util::trim(s);
  return t.empty() ? std::string(fallback) : std::string(t.substr(0, 500));
}

bool is_replica(const model::Track& t) { return util::starts_with(t.file_path, "p2p://"); }

}  // namespace

TrackAnnouncement Replicator::announce(const model::Track& t, const std::optional<std::string>& album_artist,
                                       const std::string& self) {
  TrackAnnouncement a;
  a.hash = t.content_hash.value_or("");
  a.title = t.title;
  a.artist_name = t.artist_name;
  a.album_artist_name = album_artist;
  a.album_title = t.album_title;
  a.duration_secs = t.duration_secs;
  a.format = t.format;
  a.file_size = t.file_size;
  a.genre = t.genre;
  a.year = t.year;
  a.track_number = t.track_number;
  a.disc_number = t.disc_number;
  a.bitrate = t.bitrate;
  a.sample_rate = t.sample_rate;
  a.origin_node = self;
  return a;
}

void Replicator::upsert(const std::string& from, const TrackAnnouncement& a) {
  model::RemoteTrackRecord copy;
  copy.title = clean(a.title, "Unknown Title");
  copy.artist_name = clean(a.artist_name, "Unknown Artist");
  copy.album_title = a.album_title;
  copy.origin_node = from;
  copy.hash = a.hash;
  copy.bitrate = a.bitrate;
  copy.sample_rate = a.sample_rate;
  copy.format = a.format;

  if (auto existing = catalog_.find_track_by_hash(a.hash)) {
    copy.local_track_id = existing->id;
    if (is_replica(*existing)) {
      // The peer edited its track: follow the fields peers may change.
      model::TrackChanges ch;
      if (existing->title != copy.title) ch.title = copy.title;
      if (a.genre && existing->genre != a.genre) ch.genre = a.genre;
      if (a.year && existing->year != a.year) ch.year = a.year;
      if (a.track_number && existing->track_number != a.track_number) ch.track_number = a.track_number;
      if (a.disc_number && existing->disc_number != a.disc_number) ch.disc_number = a.disc_number;
      if (ch.title || ch.genre || ch.year || ch.track_number || ch.disc_number) catalog_.update_track_fields(existing->id, ch);
    }
    repo_.upsert_remote_track(copy);
    return;
  }

  auto now = util::now_micros();
  model::Artist artist_proposal{util::new_uuid(), copy.artist_name, {}, {}, {}, now};
  auto artist = catalog_.upsert_artist(library::artist_key(copy.artist_name, std::nullopt), artist_proposal);
  auto album_artist_name = clean(a.album_artist_name.value_or(copy.artist_name), "Unknown Artist");
  model::Artist album_artist = artist;
  if (album_artist_name != copy.artist_name) {
    model::Artist p{util::new_uuid(), album_artist_name, {}, {}, {}, now};
    album_artist = catalog_.upsert_artist(library::artist_key(album_artist_name, std::nullopt), p);
  }
  std::optional<std::string> album_id;
  if (a.album_title && !util::trim(*a.album_title).empty()) {
    model::Album p;
    p.id = util::new_uuid();
    p.title = clean(*a.album_title, "Unknown Album");
    p.artist_id = album_artist.id;
    p.artist_name = album_artist.name;
    p.genre = a.genre;
    p.year = a.year;
    p.created_at = now;
    album_id = catalog_.upsert_album(library::album_key(album_artist.id, p.title, std::nullopt), p).id;
  }
  model::Track t;
  t.id = util::new_uuid();
  t.title = copy.title;
  t.artist_id = artist.id;
  t.album_id = album_id;
  t.track_number = a.track_number;
  t.disc_number = a.disc_number.value_or(1);
  t.duration_secs = a.duration_secs;
  t.genre = a.genre;
  t.year = a.year;
  t.file_path = "p2p://" + a.hash;
  t.file_size = a.file_size;
  t.format = clean(a.format, "unknown").substr(0, 16);
  t.bitrate = a.bitrate;
  t.sample_rate = a.sample_rate;
  t.content_hash = a.hash;
  t.created_at = now;
  t.artist_name = artist.name;
  t.album_title = a.album_title;
  try {
    catalog_.insert_track(t);
    copy.local_track_id = t.id;
  } catch (const model::UniqueViolation&) {
    // The same hash arrived from another peer at the same moment: that row stands.
    if (auto again = catalog_.find_track_by_hash(a.hash)) copy.local_track_id = again->id;
  }
  repo_.upsert_remote_track(copy);
}

void Replicator::remove(const std::string& from, const std::string& hash) {
  if (repo_.remove_remote_track(from, hash) > 0) return;  // another peer still offers it
  auto t = catalog_.find_track_by_hash(hash);
  if (!t || !is_replica(*t)) return;
  catalog_.delete_track(t->id);
  catalog_.prune_orphans();
}

}  // namespace st::p2p
