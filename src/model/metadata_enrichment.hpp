#pragma once
// What MusicBrainz enrichment reads and writes: a track with its artist and album as they stand, the
// lookups already made (so a track MusicBrainz does not know is not asked about again and again), and
// the "only where empty" updates of tracks, artists and albums.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

struct EnrichCandidate {
  std::string track_id, title, file_path;
  double duration_secs = 0;
  std::optional<std::string> musicbrainz_id, genre;
  std::optional<int> year;
  std::string artist_id, artist_name;
  std::optional<std::string> artist_mbid, artist_bio, artist_image;
  std::optional<std::string> album_id, album_title, album_mbid, album_genre, album_cover;
  std::optional<int> album_year;
  std::optional<std::string> album_artist_id;
};

// Fields MusicBrainz gave; an absent field is left alone. Genre and year are written only where the
// row has none; names and ids as the enricher decided.
struct TrackEnrichment {
  std::optional<std::string> musicbrainz_id, title, genre;
  std::optional<int> year;
};
struct ArtistEnrichment {
  std::optional<std::string> musicbrainz_id, bio, image_url;  // each only where empty
};
struct AlbumEnrichment {
  std::optional<std::string> musicbrainz_id, genre;  // each only where empty
  std::optional<int> year;
};

struct RemoteTrackCounts {
  std::int64_t total = 0, available = 0;
};

class MetadataRepository {
 public:
  virtual ~MetadataRepository() = default;
  virtual std::optional<EnrichCandidate> candidate(std::string_view track_id) = 0;
  // Ids of tracks without a recording id that were not looked up after `looked_up_before`, in id order
  // after `after_id`.
  virtual std::vector<std::string> pending(std::string_view after_id, util::Micros looked_up_before,
                                           std::int64_t limit) = 0;
  virtual std::int64_t count_pending(util::Micros looked_up_before) = 0;
  // The outcome of asking about a track ("enriched", "not_found", "error").
  virtual void record_lookup(std::string_view track_id, std::string_view status, util::Micros at) = 0;
  virtual void apply_track(std::string_view track_id, const TrackEnrichment& e) = 0;
  virtual void apply_artist(std::string_view artist_id, const ArtistEnrichment& e) = 0;
  virtual void apply_album(std::string_view album_id, const AlbumEnrichment& e) = 0;
  // Files the track under another artist and/or album (found or created by the caller), keeping its
  // search words right.
  virtual void move_track(std::string_view track_id, const std::optional<std::string>& artist_id,
                          const std::optional<std::string>& album_id) = 0;
  virtual RemoteTrackCounts remote_track_counts() = 0;
};

}  // namespace st::model
