#pragma once
// The music catalogue's repository, and what it answers beside its items (model/catalog_items.hpp) and
// lists (model/catalog_queries.hpp).
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog_items.hpp"
#include "model/catalog_queries.hpp"
#include "util/time.hpp"

namespace st::model {

// What streaming a track needs, read by primary key alone (the hot path of every play and seek).
struct StreamSource {
  std::string path;
  std::string format;
  std::optional<std::string> content_hash;
  double duration_secs = 0;
};

struct TrackFile {
  std::string id;
  std::string title;
  std::string path;
  std::int64_t size = 0;
};

// The in-memory search index (SQLite): whether searches are answered from it yet, and what it holds.
struct SearchIndexStatus {
  bool in_memory = false;  // this engine searches in memory (else: in the database)
  bool ready = false;
  std::int64_t documents = 0;  // tracks, albums and artists
  std::int64_t memory_bytes = 0;
};

struct MetadataCounts {
  std::int64_t total_tracks = 0, enriched_tracks = 0, tracks_with_bitrate = 0, total_albums = 0,
               albums_with_cover = 0, total_size_bytes = 0;
};

struct CatalogCounts {
  std::int64_t tracks = 0;
  std::int64_t albums = 0;
  std::int64_t artists = 0;
  std::int64_t genres = 0;
  double total_duration_secs = 0;
};

// What a scan knows about a file already in the catalogue.
struct KnownFile {
  std::string track_id;
  std::int64_t size = 0;
  std::int64_t mtime = 0;
};

// What a folder holds, as folder browsing shows it.
struct FolderEntries {
  std::vector<std::string> folders;  // the sub-folders holding tracks at any depth, in their paths' byte order
  std::int64_t files = 0;            // tracks directly in the folder
  util::Micros changed_at = 0;       // when the catalogue's tracks or their paths last changed
};

// A file of the catalogue as a rescan pages through them.
struct KnownPath {
  std::string path;
  std::int64_t size = 0;
  std::int64_t mtime = 0;
};

struct TrackChanges {
  std::optional<std::string> title;
  std::optional<std::string> genre;
  std::optional<int> year;
  std::optional<int> track_number;
  std::optional<int> disc_number;
  // Regrouping (a peer's replica following the peer's artist or album): the new ids.
  std::optional<std::string> artist_id;
  std::optional<std::string> album_id;
};

// What an album's tracks add up to.
struct AlbumSummary {
  std::int64_t song_count = 0;
  double duration_secs = 0;
  std::int64_t play_count = 0;
};

struct ArtistWithAlbums {
  Artist artist;
  std::int64_t album_count = 0;
  bool has_cover = false;  // one of the albums has a cover (what a Subsonic app shows for the artist)
};

struct ArtistTally {
  std::int64_t albums = 0;
  bool has_cover = false;
};

struct GenreCount {
  std::string name;
  std::int64_t songs = 0;
  std::int64_t albums = 0;
};

class CatalogRepository {
 public:
  virtual ~CatalogRepository() = default;

  // Atomic find-or-create, keyed by match_key (unique): concurrent imports never duplicate.
  virtual Artist upsert_artist(std::string_view match_key, const Artist& proposed) = 0;
  virtual Album upsert_album(std::string_view match_key, const Album& proposed) = 0;
  // The same for many at once, in one transaction (a page of replicated tracks names thousands): the
  // answers in the order asked.
  virtual std::vector<Artist> upsert_artists(const std::vector<std::pair<std::string, Artist>>& keyed) = 0;
  virtual std::vector<Album> upsert_albums(const std::vector<std::pair<std::string, Album>>& keyed) = 0;
  virtual void set_album_cover(std::string_view album_id, std::string_view cover_url, bool only_if_missing) = 0;

  virtual void insert_track(const Track& t) = 0;
  // Inserts many in one transaction (all or none).
  virtual void insert_tracks(const std::vector<Track>& tracks) = 0;
  // Inserts replicated tracks (content_hash set on each), in one transaction, except those whose bytes a
  // track already holds, even one inserted a moment ago by another pull: one replica per content hash.
  // Returns content hash -> the id of the track holding it, for each replica not inserted.
  virtual std::map<std::string, std::string> insert_replicas(const std::vector<Track>& replicas) = 0;
  // Replaces the metadata of an existing track (a rescan of a changed file).
  virtual void update_track_file(const Track& t) = 0;
  virtual std::optional<Track> find_track(std::string_view id) = 0;
  virtual std::optional<StreamSource> stream_source(std::string_view id) = 0;
  virtual std::optional<Track> find_track_by_hash(std::string_view content_hash) = 0;
  virtual std::optional<KnownFile> find_by_path(std::string_view path) = 0;
  // Path -> what is known of it, for every track under the prefix (one query for a whole rescan).
  virtual std::vector<std::pair<std::string, KnownFile>> known_files_under(std::string_view path_prefix) = 0;
  // The changed fields; a track moved to another artist or album takes the old ones with it when it was their
  // last track (in the same transaction).
  virtual void update_track_fields(std::string_view id, const TrackChanges& c) = 0;
  // The track, and its album and artist when it was their last track (in the same transaction).
  virtual void delete_track(std::string_view id) = 0;
  // The stored waveform JSON ({"peaks": [...], "fine_peaks": [...]}), when computed.
  virtual std::optional<std::string> waveform(std::string_view track_id) = 0;
  virtual void set_waveform(std::string_view track_id, const std::string& json) = 0;
  // Fills the ReplayGain track values from a measurement, unless the file's tags provided them.
  virtual void set_measured_gain(std::string_view track_id, double gain_db, double peak) = 0;
  // Deletes every album without tracks and artist without tracks or albums (a scan's moved files, at start).
  virtual void prune_orphans() = 0;

  virtual Paged<Track> list_tracks(const TrackFilter& f, TrackOrder order, Page page) = 0;
  virtual Paged<Album> list_albums(Page page, bool newest_first) = 0;
  virtual std::vector<Track> album_tracks(std::string_view album_id) = 0;
  virtual std::optional<Album> find_album(std::string_view id) = 0;
  virtual Paged<Artist> list_artists(Page page) = 0;
  virtual std::optional<Artist> find_artist(std::string_view id) = 0;
  // Artists with tracks, the most played first (sum of their tracks' play counts; then by name).
  virtual std::vector<Artist> top_artists(std::int64_t limit) = 0;
  virtual std::vector<Artist> random_artists(std::int64_t limit) = 0;
  virtual std::vector<Album> artist_albums(std::string_view artist_id) = 0;
  virtual std::vector<std::string> genres() = 0;
  virtual CatalogCounts counts() = 0;
  virtual std::vector<Track> random_tracks(const RandomQuery& q) = 0;
  // The genres of an artist's tracks.
  virtual std::vector<std::string> artist_genres(std::string_view artist_id) = 0;
  virtual MetadataCounts metadata_counts() = 0;
  // Starts building the in-memory search index, if this engine has one and it is not built (at start-up,
  // so that the first searches need not wait for it).
  virtual void prepare_search() {}
  virtual SearchIndexStatus search_index_status() { return {}; }
  // Drops what is kept only to answer faster and is made again on demand (getArtists' list), for a server
  // gone quiet (db/idle_memory.hpp).
  virtual void drop_caches() {}
  // Every track's file, in batches (for integrity checks): ids greater than after_id, in id order.
  virtual std::vector<TrackFile> track_files(std::string_view after_id, std::int64_t limit) = 0;
  // Every word must match the start of a word (prefix search) of the item's folded text; best first.
  virtual SearchHits search(const std::vector<std::string>& folded_words, Page page) {
    return search(folded_words, page, page, page);
  }
  // With a window per kind; a window of 0 items skips that kind (and its count).
  virtual SearchHits search(const std::vector<std::string>& folded_words, Page artists, Page albums, Page tracks) = 0;

  virtual std::vector<Album> query_albums(const AlbumQuery& q) = 0;
  virtual std::map<std::string, AlbumSummary> album_summaries(const std::vector<std::string>& album_ids) = 0;
  // Every artist credited with an album, by name, with the number of their albums: one copy, shared until an
  // artist or an album changes (on any node).
  virtual std::shared_ptr<const std::vector<ArtistWithAlbums>> album_artists() = 0;
  // Of these artists, those credited with albums: how many, and whether one has a cover (one statement).
  virtual std::map<std::string, ArtistTally> artist_tallies(const std::vector<std::string>& artist_ids) = 0;
  virtual std::vector<Artist> find_artists_by_name(std::string_view name) = 0;
  virtual std::vector<GenreCount> genre_counts() = 0;
  // The tracks whose file lies directly in the folder (not in its sub-folders), by file name: the first
  // `limit` of them.
  virtual std::vector<Track> tracks_in_folder(std::string_view folder, std::int64_t limit) = 0;
  // The sub-folders of a folder and the number of its own tracks, without reading what lies deeper (a
  // library root of a million files costs a read per artist folder; kept until the tracks change).
  virtual std::shared_ptr<const FolderEntries> folder_entries(std::string_view folder) = 0;
  // Scanned files an administrator removed from the catalogue: scans leave them out while they are
  // unchanged (same size and modification time); a changed file is imported again.
  virtual void ignore_file(std::string_view path, std::int64_t size, std::int64_t mtime, util::Micros now) = 0;
  virtual void unignore_file(std::string_view path) = 0;
  // Path -> size and mtime (track_id empty), for every ignored file under the prefix.
  virtual std::vector<std::pair<std::string, KnownFile>> ignored_under(std::string_view path_prefix) = 0;
  // The given tracks, in the given order (unknown ids are skipped).
  virtual std::vector<Track> tracks_by_ids(const std::vector<std::string>& ids) = 0;
  // Local tracks (not replicas) without a stored waveform, in id order after `after_id`.
  virtual std::vector<Track> tracks_without_waveform(std::string_view after_id, std::int64_t limit) = 0;

  // Tree rescans.
  // At most `limit` files under the prefix whose paths come after `after` ("" for the first page), in the
  // database's path order: a rescan of a million tracks reads them a page at a time, not all rows at once.
  virtual std::vector<KnownPath> known_files_page(std::string_view path_prefix, std::string_view after,
                                                  std::int64_t limit) = 0;
  // Replaces the metadata of many tracks (see update_track_file) in one transaction (all or none).
  virtual void update_track_files(const std::vector<Track>& tracks) = 0;
};

}  // namespace st::model
