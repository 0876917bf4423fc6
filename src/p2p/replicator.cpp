#include "p2p/replicator.hpp"

#include <algorithm>
#include <unordered_set>

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

std::optional<std::string> cover_hash_of(const std::optional<std::string>& cover_url) {
  // Stored covers are named by the BLAKE3 of their bytes: /api/media/covers/<2 hex>/<hash>.<ext>.
  constexpr std::string_view kPrefix = "/api/media/covers/";
  if (!cover_url || !util::starts_with(*cover_url, kPrefix)) return std::nullopt;
  auto rest = std::string_view(*cover_url).substr(kPrefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto name = rest.substr(slash + 1);
  auto hash = std::string(name.substr(0, name.find('.')));
  bool hex = hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos;
  return hex ? std::optional(hash) : std::nullopt;
}

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
  a.cover_hash = cover_hash_of(t.cover_url);
  return a;
}

struct Replicator::PageCache {
  std::map<std::string, model::Artist> artists;
  std::map<std::string, model::Album> albums;
};

model::RemoteTrackRecord Replicator::copy_of(const std::string& from, const TrackAnnouncement& a) const {
  model::RemoteTrackRecord copy;
  copy.title = clean(a.title, "Unknown Title");
  copy.artist_name = clean(a.artist_name, "Unknown Artist");
  copy.album_title = a.album_title;
  copy.origin_node = from;
  copy.hash = a.hash;
  copy.bitrate = a.bitrate;
  copy.sample_rate = a.sample_rate;
  copy.format = a.format;
  return copy;
}

model::Artist Replicator::artist_for(const std::string& name, PageCache* cache) {
  auto key = library::artist_key(name, std::nullopt);
  if (cache) {
    if (auto it = cache->artists.find(key); it != cache->artists.end()) return it->second;
  }
  auto ar = catalog_.upsert_artist(key, model::Artist{util::new_time_uuid(), name, {}, {}, {}, util::now_micros()});
  if (cache) cache->artists.emplace(key, ar);
  return ar;
}

std::optional<std::pair<std::string, model::Album>> Replicator::album_proposal(const TrackAnnouncement& a,
                                                                               const model::Artist& track_artist,
                                                                               PageCache* cache) {
  if (!a.album_title || util::trim(*a.album_title).empty()) return std::nullopt;
  auto album_artist_name = clean(a.album_artist_name.value_or(track_artist.name), "Unknown Artist");
  auto album_artist = album_artist_name == track_artist.name ? track_artist : artist_for(album_artist_name, cache);
  model::Album p;  // (its id is drawn only when it is proposed to the database: most tracks find theirs cached)
  p.title = clean(*a.album_title, "Unknown Album");
  p.artist_id = album_artist.id;
  p.artist_name = album_artist.name;
  p.genre = a.genre;
  p.year = a.year;
  p.created_at = util::now_micros();
  auto key = library::album_key(album_artist.id, p.title, std::nullopt);
  return std::pair{std::move(key), std::move(p)};
}

std::optional<std::string> Replicator::album_for(const TrackAnnouncement& a, const model::Artist& track_artist,
                                                 PageCache* cache) {
  auto proposal = album_proposal(a, track_artist, cache);
  if (!proposal) return std::nullopt;
  auto& [key, p] = *proposal;
  if (cache) {
    if (auto it = cache->albums.find(key); it != cache->albums.end()) return it->second.id;
  }
  p.id = util::new_time_uuid();
  auto al = catalog_.upsert_album(key, p);
  if (cache) cache->albums.emplace(key, al);
  return al.id;
}

// Every artist and album the page's new tracks name, settled in two transactions rather than one
// commit each (a page of 20,000 tracks from a large library names thousands of albums).
void Replicator::settle_names(const std::vector<const TrackAnnouncement*>& fresh, PageCache& cache) {
  std::vector<std::pair<std::string, model::Artist>> artists;
  std::unordered_set<std::string> asked;
  auto want_artist = [&](const std::string& name) {
    auto key = library::artist_key(name, std::nullopt);
    if (cache.artists.count(key) || !asked.insert(key).second) return;
    artists.emplace_back(std::move(key), model::Artist{util::new_time_uuid(), name, {}, {}, {}, util::now_micros()});
  };
  for (const auto* a : fresh) {
    want_artist(clean(a->artist_name, "Unknown Artist"));
    if (a->album_title && a->album_artist_name) want_artist(clean(*a->album_artist_name, "Unknown Artist"));
  }
  if (!artists.empty()) {
    auto settled = catalog_.upsert_artists(artists);
    for (std::size_t i = 0; i < settled.size() && i < artists.size(); ++i)
      cache.artists.emplace(artists[i].first, std::move(settled[i]));
  }
  std::vector<std::pair<std::string, model::Album>> albums;
  asked.clear();
  for (const auto* a : fresh) {
    auto proposal = album_proposal(*a, artist_for(clean(a->artist_name, "Unknown Artist"), &cache), &cache);
    if (!proposal || cache.albums.count(proposal->first) || !asked.insert(proposal->first).second) continue;
    proposal->second.id = util::new_time_uuid();
    albums.push_back(std::move(*proposal));
  }
  if (!albums.empty()) {
    auto settled = catalog_.upsert_albums(albums);
    for (std::size_t i = 0; i < settled.size() && i < albums.size(); ++i)
      cache.albums.emplace(albums[i].first, std::move(settled[i]));
  }
}

// The peer edited its track, or renamed its artist or album: follow the fields peers may change, and
// regroup the replica under the artist and album its new names give (the old ones go if left empty).
void Replicator::follow_edit(const std::string& track_id, const TrackAnnouncement& a, const std::string& from) {
  auto existing = catalog_.find_track(track_id);
  if (!existing) return;
  model::TrackChanges ch;
  auto artist_name = clean(a.artist_name, "Unknown Artist");
  auto artist = existing->artist_name == artist_name ? std::optional<model::Artist>() : artist_for(artist_name, nullptr);
  if (artist) ch.artist_id = artist->id;
  std::optional<std::string> album_artist_now;
  if (existing->album_id) {
    if (auto al = catalog_.find_album(*existing->album_id)) album_artist_now = al->artist_name;
  }
  auto album_artist_wanted = clean(a.album_artist_name.value_or(artist_name), "Unknown Artist");
  bool album_moved = a.album_title && !util::trim(*a.album_title).empty() &&
                     (existing->album_title != clean(*a.album_title, "Unknown Album") ||
                      album_artist_now != album_artist_wanted);
  std::optional<std::string> album_id = existing->album_id;
  if (album_moved) {
    auto track_artist = artist ? *artist : artist_for(artist_name, nullptr);
    album_id = album_for(a, track_artist, nullptr);
    if (album_id != existing->album_id) ch.album_id = album_id;
  }
  if (a.cover_hash && album_id && cover_wanted_) cover_wanted_(*album_id, *a.cover_hash, from);
  auto title = clean(a.title, "Unknown Title");
  if (existing->title != title) ch.title = title;
  if (a.genre && existing->genre != a.genre) ch.genre = a.genre;
  if (a.year && existing->year != a.year) ch.year = a.year;
  if (a.track_number && existing->track_number != a.track_number) ch.track_number = a.track_number;
  if (a.disc_number && existing->disc_number != a.disc_number) ch.disc_number = a.disc_number;
  if (ch.title || ch.genre || ch.year || ch.track_number || ch.disc_number || ch.artist_id || ch.album_id)
    catalog_.update_track_fields(track_id, ch);
}

model::Track Replicator::new_replica(const TrackAnnouncement& a, const model::RemoteTrackRecord& copy, PageCache* cache) {
  auto now = util::now_micros();
  auto artist = artist_for(copy.artist_name, cache);
  auto album_id = album_for(a, artist, cache);
  model::Track t;
  t.id = util::new_time_uuid();
  t.title = copy.title;
  t.artist_id = artist.id;
  t.album_id = album_id;
  t.track_number = a.track_number;
  t.disc_number = a.disc_number.value_or(1);
  t.duration_secs = a.duration_secs;
  t.genre = a.genre;
  t.year = a.year;
  t.file_path = "p2p://" + t.id;  // the bytes are content_hash; the path grows with time (insert_replicas)
  t.file_size = a.file_size;
  t.format = clean(a.format, "unknown").substr(0, 16);
  t.bitrate = a.bitrate;
  t.sample_rate = a.sample_rate;
  t.content_hash = a.hash;
  t.created_at = now;
  t.artist_name = artist.name;
  t.album_title = a.album_title;
  return t;
}

void Replicator::upsert(const std::string& from, const TrackAnnouncement& a) { upsert_page(from, {a}); }

void Replicator::upsert_page(const std::string& from, const std::vector<TrackAnnouncement>& page) {
  record_copies(from, settle_tracks(from, page));
}

Replicator::SettledPage Replicator::settle_tracks(const std::string& from, const std::vector<TrackAnnouncement>& page) {
  std::vector<std::string> hashes;
  hashes.reserve(page.size());
  for (const auto& a : page) hashes.push_back(a.hash);
  auto known = repo_.tracks_with_hashes(hashes);
  PageCache cache;
  {
    std::vector<const TrackAnnouncement*> fresh;
    for (const auto& a : page)
      if (!known.count(a.hash)) fresh.push_back(&a);
    settle_names(fresh, cache);
  }
  std::vector<model::Track> fresh;
  std::unordered_set<std::string> fresh_ids;  // (pages of 20,000 tracks: no linear search)
  std::vector<model::RemoteTrackRecord> copies;
  for (const auto& a : page) {
    auto copy = copy_of(from, a);
    if (auto it = known.find(a.hash); it != known.end()) {
      copy.local_track_id = it->second.track_id;
      if (it->second.replica && !fresh_ids.count(it->second.track_id)) follow_edit(it->second.track_id, a, from);
    } else {
      auto t = new_replica(a, copy, &cache);
      copy.local_track_id = t.id;
      known.emplace(a.hash, model::KnownHash{t.id, true});
      fresh_ids.insert(t.id);
      fresh.push_back(std::move(t));
    }
    copies.push_back(std::move(copy));
  }
  // Another peer's page may have brought some of the same bytes a moment ago: theirs stand.
  auto held = catalog_.insert_replicas(fresh);
  if (!held.empty()) {
    for (auto& c : copies) {
      auto it = held.find(c.hash);
      if (it != held.end() && c.local_track_id && fresh_ids.count(*c.local_track_id)) c.local_track_id = it->second;
    }
    // Not inserted: the tracks whose hash another holds (an album or artist made for them alone stays empty
    // until a rescan prunes it: pruning now could take one an import or a push is about to fill).
    std::erase_if(fresh, [&](const model::Track& t) {
      auto it = held.find(*t.content_hash);
      return it != held.end() && it->second != t.id;
    });
  }
  SettledPage settled;
  settled.copies = std::move(copies);
  if (cover_wanted_) {
    std::map<std::string, const TrackAnnouncement*> by_hash;
    for (const auto& a : page)
      if (a.cover_hash) by_hash.emplace(a.hash, &a);
    for (const auto& t : fresh) {
      auto it = by_hash.find(*t.content_hash);
      if (it != by_hash.end() && t.album_id) settled.covers.emplace_back(*t.album_id, *it->second->cover_hash);
    }
  }
  return settled;
}

void Replicator::record_copies(const std::string& from, const SettledPage& settled) {
  repo_.upsert_remote_tracks(settled.copies);
  if (cover_wanted_)
    for (const auto& [album_id, cover_hash] : settled.covers) cover_wanted_(album_id, cover_hash, from);
}

void Replicator::remove(const std::string& from, const std::string& hash) {
  if (repo_.remove_remote_track(from, hash) > 0) return;  // another peer still offers it
  auto t = catalog_.find_track_by_hash(hash);
  if (!t || !is_replica(*t)) return;
  catalog_.delete_track(t->id);
}

}  // namespace st::p2p
