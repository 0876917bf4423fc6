#pragma once
// MusicBrainz enrichment of local and replicated tracks: the recording id, the title when it only came
// from a file name, genre and year where missing; the artist's id, biography and picture; the album's
// release id and a Cover Art Archive cover when it has none. Tracks filed under "Unknown Artist" or a
// fallback album are moved to the artist and release MusicBrainz names. One track on demand, or all
// pending tracks as a background task an admin can follow (each track is asked about once per run, and
// a track MusicBrainz does not know is left alone for a week, so the task always ends).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "library/cover_store.hpp"
#include "library/musicbrainz.hpp"
#include "model/catalog.hpp"
#include "model/metadata_enrichment.hpp"

namespace st::library {

struct MetadataResult {
  std::string track_id;
  std::string status;  // enriched, not_found, already_enriched, error
  std::optional<std::string> recording_mbid, corrected_title, artist_mbid, artist_name, album_mbid, album_title,
      genre, cover_url, message;
  std::optional<int> year;
};

struct EnrichTaskState {
  enum class Status { idle, running, completed, error } status = Status::idle;
  std::uint64_t processed = 0, total = 0, enriched = 0, not_found = 0, errors = 0, already_enriched = 0;
  std::optional<std::string> current_track;  // "Artist - Title"
  std::string message;                       // when status is error
};

class MetadataEnricher {
 public:
  MetadataEnricher(model::MetadataRepository& repo, model::CatalogRepository& catalog, CoverStore& covers,
                   MusicBrainzClient& client);
  ~MetadataEnricher();

  // Throws DomainError not_found for an unknown track. Service failures give status "error".
  MetadataResult enrich(const std::string& track_id);

  // False when the task is already running.
  bool start_all();
  EnrichTaskState state();
  // Forgets a finished task's outcome; false while it runs.
  bool dismiss();
  // Starts the task every `interval` while `enabled()` says so and tracks are waiting (metadata_auto_enrich).
  void schedule(std::chrono::seconds interval, std::function<bool()> enabled);

  // After this many failures in a row the task stops: the service is down, asking more would only wait.
  static constexpr int kMaxConsecutiveErrors = 5;
  static constexpr std::chrono::hours kRetryNotFoundAfter{24 * 7};

 private:
  MetadataResult enrich_one(const model::EnrichCandidate& c);
  void run_all();

  model::MetadataRepository& repo_;
  model::CatalogRepository& catalog_;
  CoverStore& covers_;
  MusicBrainzClient& client_;

  std::mutex mu_;
  EnrichTaskState state_;
  std::set<std::string> artists_done_, releases_done_;  // during one run: asked once
  std::thread worker_, timer_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;
};

// Whether a title was made from the file name (so MusicBrainz's title is better), and the words to
// search for in it ("03 - Song.flac" gives "Song").
bool title_from_file_name(const std::string& title, const std::string& file_path);
std::string searchable_title(const std::string& title);
bool is_placeholder_artist(const std::string& name);
bool is_placeholder_album(const std::optional<std::string>& title);

}  // namespace st::library
