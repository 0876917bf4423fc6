#include "library/metadata_enricher.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <filesystem>

#include "library/metadata.hpp"
#include "model/errors.hpp"
#include "util/fold.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::library {

namespace {

bool same_name(const std::string& a, const std::string& b) {
  return util::fold_for_search(a) == util::fold_for_search(b);
}

std::string display(const model::EnrichCandidate& c) { return c.artist_name + " - " + c.title; }

}  // namespace

bool title_from_file_name(const std::string& title, const std::string& file_path) {
  static const char* const kExtensions[] = {".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".wav", ".aif", ".aiff"};
  auto lower = util::to_lower(title);
  for (const char* ext : kExtensions) {
    std::string_view e(ext);
    if (lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0) return true;
  }
  if (util::starts_with(file_path, "p2p://")) return false;
  return title == clean_name(std::filesystem::path(file_path).stem().string());
}

std::string searchable_title(const std::string& title) {
  std::string t = title;
  auto lower = util::to_lower(t);
  if (auto dot = lower.rfind('.'); dot != std::string::npos && lower.size() - dot <= 5) {
    auto ext = lower.substr(dot);
    for (const char* e : {".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".wav", ".aif", ".aiff"})
      if (ext == e) t.resize(dot);
  }
  // A leading track number: "03 - ", "03. ", "1-03 ", "03_", "03 " (but not "99 Luftballons").
  std::size_t i = 0;
  while (i < t.size() && i < 3 && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  bool marked = false;
  if (i > 0 && i < t.size() && t[i] == '-') {  // disc-track
    std::size_t k = i + 1;
    while (k < t.size() && k < i + 4 && std::isdigit(static_cast<unsigned char>(t[k]))) ++k;
    if (k > i + 1) {
      i = k;
      marked = true;
    }
  }
  std::size_t j = i;
  while (j < t.size() && (t[j] == ' ' || t[j] == '.' || t[j] == '-' || t[j] == '_')) marked |= t[j++] != ' ';
  if (i > 0 && j > i && j < t.size() && (marked || t[0] == '0')) t = t.substr(j);
  for (char& ch : t)
    if (ch == '_') ch = ' ';
  return std::string(util::trim(t));
}

bool is_placeholder_artist(const std::string& name) {
  auto f = util::fold_for_search(name);
  return f == "unknown artist" || f == "inconnu" || f == "unknown" || f.empty();
}

bool is_placeholder_album(const std::optional<std::string>& title) {
  if (!title) return true;
  auto f = util::fold_for_search(*title);
  return f == "unknown album" || f == "inconnu" || f == "singles" || f.empty();
}

MetadataEnricher::MetadataEnricher(model::MetadataRepository& repo, model::CatalogRepository& catalog,
                                   CoverStore& covers, MusicBrainzClient& client)
    : repo_(repo), catalog_(catalog), covers_(covers), client_(client) {}

MetadataEnricher::~MetadataEnricher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (worker_.joinable()) worker_.join();
}

MetadataResult MetadataEnricher::enrich(const std::string& track_id) {
  auto c = repo_.candidate(track_id);
  if (!c) model::throw_not_found("Track not found");
  {
    std::lock_guard lock(mu_);
    artists_done_.clear();
    releases_done_.clear();
  }
  return enrich_one(*c);
}

MetadataResult MetadataEnricher::enrich_one(const model::EnrichCandidate& c) {
  MetadataResult r;
  r.track_id = c.track_id;
  if (c.musicbrainz_id) {
    r.status = "already_enriched";
    r.recording_mbid = c.musicbrainz_id;
    return r;
  }
  bool file_title = title_from_file_name(c.title, c.file_path);
  std::string query_title = file_title ? searchable_title(c.title) : c.title;
  std::string query_artist = is_placeholder_artist(c.artist_name) ? std::string() : c.artist_name;
  try {
    auto rec = client_.find_recording(query_title, query_artist, c.duration_secs);
    if (!rec) {
      repo_.record_lookup(c.track_id, "not_found", util::now_micros());
      r.status = "not_found";
      return r;
    }
    r.status = "enriched";
    r.recording_mbid = rec->id;

    model::TrackEnrichment te;
    te.musicbrainz_id = rec->id;
    if (file_title && !rec->title.empty() && rec->title != c.title) te.title = r.corrected_title = rec->title;
    if (!c.genre && rec->genre) te.genre = r.genre = rec->genre;
    if (!c.year && rec->year) te.year = r.year = rec->year;
    repo_.apply_track(c.track_id, te);

    // The artist: moved from a placeholder to MusicBrainz's, or given its id when the names agree.
    std::string artist_id = c.artist_id;
    std::optional<std::string> artist_mbid = c.artist_mbid;
    std::string artist_name = c.artist_name;
    std::optional<std::string> new_artist_id, new_album_id;
    if (!rec->artist_id.empty() && !rec->artist_name.empty()) {
      if (is_placeholder_artist(c.artist_name)) {
        model::Artist proposed;
        proposed.id = util::new_uuid();
        proposed.name = rec->artist_name;
        proposed.musicbrainz_id = rec->artist_id;
        proposed.created_at = util::now_micros();
        auto a = catalog_.upsert_artist(artist_key(rec->artist_name, rec->artist_id), proposed);
        new_artist_id = artist_id = a.id;
        artist_mbid = a.musicbrainz_id ? a.musicbrainz_id : rec->artist_id;
        artist_name = a.name;
        r.artist_name = a.name;
        r.artist_mbid = artist_mbid;
      } else if (same_name(c.artist_name, rec->artist_name)) {
        if (!c.artist_mbid) repo_.apply_artist(c.artist_id, {rec->artist_id, std::nullopt, std::nullopt});
        artist_mbid = c.artist_mbid.value_or(rec->artist_id);
        r.artist_mbid = artist_mbid;
      }
    }

    // The album: a track without a real album is filed under the release; a real one gets its id.
    std::optional<std::string> album_id = c.album_id;
    std::optional<std::string> album_mbid = c.album_mbid;
    std::optional<std::string> album_cover = c.album_cover;
    if (rec->release_id && rec->release_title) {
      if (is_placeholder_album(c.album_title)) {
        model::Album proposed;
        proposed.id = util::new_uuid();
        proposed.title = *rec->release_title;
        proposed.artist_id = artist_id;
        proposed.artist_name = artist_name;
        proposed.musicbrainz_id = rec->release_id;
        proposed.genre = rec->genre;
        proposed.year = rec->year;
        proposed.created_at = util::now_micros();
        auto a = catalog_.upsert_album(album_key(artist_id, *rec->release_title, rec->release_id), proposed);
        new_album_id = album_id = a.id;
        album_mbid = a.musicbrainz_id;
        album_cover = a.cover_url;
        r.album_title = a.title;
        r.album_mbid = album_mbid;
      } else if (c.album_title && same_name(*c.album_title, *rec->release_title)) {
        repo_.apply_album(*c.album_id, {rec->release_id, rec->genre, rec->year});
        album_mbid = c.album_mbid.value_or(*rec->release_id);
        r.album_mbid = album_mbid;
      }
    }
    if (new_artist_id || new_album_id) repo_.move_track(c.track_id, new_artist_id, new_album_id);

    // Biography and picture, once per artist and run, when the artist has none.
    bool want_bio = !new_artist_id && (!c.artist_bio || !c.artist_image);
    if (new_artist_id) {
      auto a = catalog_.find_artist(*new_artist_id);
      want_bio = a && (!a->bio || !a->image_url);
    }
    bool ask_artist = false;
    if (artist_mbid && want_bio) {
      std::lock_guard lock(mu_);
      ask_artist = artists_done_.insert(artist_id).second;
    }
    if (ask_artist) {
      auto links = client_.artist_links(*artist_mbid);
      auto summary = client_.artist_summary(links, artist_name);
      if (summary.extract || summary.image_url)
        repo_.apply_artist(artist_id, {std::nullopt, summary.extract, summary.image_url});
    }

    // A cover for an album that has none, once per release and run.
    bool ask_cover = false;
    if (album_id && album_mbid && !album_cover) {
      std::lock_guard lock(mu_);
      ask_cover = releases_done_.insert(*album_mbid).second;
    }
    if (ask_cover) {
      if (auto bytes = client_.front_cover(*album_mbid)) {
        try {
          if (auto url = covers_.store(*bytes)) {
            catalog_.set_album_cover(*album_id, *url, true);
            r.cover_url = *url;
          }
        } catch (const StorageError& e) {
          spdlog::warn("metadata: the cover of release {} could not be stored: {}", *album_mbid, e.what());
          std::lock_guard lock(mu_);
          releases_done_.erase(*album_mbid);  // asked again next time
        }
      }
    }
    repo_.record_lookup(c.track_id, "enriched", util::now_micros());
  } catch (const LookupError& e) {
    r.status = "error";
    r.message = std::string("MusicBrainz lookup failed: ") + e.what();
    spdlog::warn("metadata: {} ({}): {}", display(c), c.track_id, e.what());
  }
  return r;
}

bool MetadataEnricher::start_all() {
  std::lock_guard lock(mu_);
  if (state_.status == EnrichTaskState::Status::running || stopping_) return false;
  if (worker_.joinable()) worker_.join();  // the previous run has ended
  state_ = EnrichTaskState{};
  state_.status = EnrichTaskState::Status::running;
  artists_done_.clear();
  releases_done_.clear();
  worker_ = std::thread([this] { run_all(); });
  return true;
}

void MetadataEnricher::run_all() {
  auto started = util::now_micros();
  auto before = started - std::chrono::duration_cast<std::chrono::microseconds>(kRetryNotFoundAfter).count();
  try {
    auto total = repo_.count_pending(before);
    {
      std::lock_guard lock(mu_);
      state_.total = static_cast<std::uint64_t>(total);
    }
    std::string after;
    int errors_in_a_row = 0;
    while (true) {
      auto ids = repo_.pending(after, before, 100);
      if (ids.empty()) break;
      for (const auto& id : ids) {
        after = id;
        {
          std::lock_guard lock(mu_);
          if (stopping_) return;
        }
        auto c = repo_.candidate(id);
        if (!c) continue;  // deleted meanwhile
        {
          std::lock_guard lock(mu_);
          state_.current_track = display(*c);
        }
        auto r = enrich_one(*c);
        std::lock_guard lock(mu_);
        ++state_.processed;
        if (state_.processed > state_.total) state_.total = state_.processed;  // tracks added meanwhile
        if (r.status == "enriched") ++state_.enriched;
        else if (r.status == "not_found") ++state_.not_found;
        else if (r.status == "already_enriched") ++state_.already_enriched;
        else ++state_.errors;
        errors_in_a_row = r.status == "error" ? errors_in_a_row + 1 : 0;
        if (errors_in_a_row >= kMaxConsecutiveErrors) {
          state_.status = EnrichTaskState::Status::error;
          state_.message = r.message.value_or("MusicBrainz cannot be reached") +
                           " (stopped after " + std::to_string(kMaxConsecutiveErrors) + " failures in a row)";
          state_.current_track.reset();
          return;
        }
      }
    }
    std::lock_guard lock(mu_);
    state_.status = EnrichTaskState::Status::completed;
    state_.current_track.reset();
  } catch (const std::exception& e) {
    spdlog::error("metadata enrichment failed: {}", e.what());
    std::lock_guard lock(mu_);
    state_.status = EnrichTaskState::Status::error;
    state_.message = "Metadata enrichment failed";
    state_.current_track.reset();
  }
}

EnrichTaskState MetadataEnricher::state() {
  std::lock_guard lock(mu_);
  return state_;
}

bool MetadataEnricher::dismiss() {
  std::lock_guard lock(mu_);
  if (state_.status == EnrichTaskState::Status::running) return false;
  state_ = EnrichTaskState{};
  return true;
}

void MetadataEnricher::schedule(std::chrono::seconds interval, std::function<bool()> enabled) {
  if (interval.count() <= 0) return;
  timer_ = std::thread([this, interval, enabled = std::move(enabled)] {
    std::unique_lock lock(mu_);
    while (!timer_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      bool start = false;
      try {
        auto before = util::now_micros() -
                      std::chrono::duration_cast<std::chrono::microseconds>(kRetryNotFoundAfter).count();
        start = enabled() && repo_.count_pending(before) > 0;
      } catch (const std::exception& e) {
        spdlog::warn("metadata: cannot check for tracks to enrich: {}", e.what());
      }
      if (start && start_all()) spdlog::info("metadata: enrichment of new tracks started");
      lock.lock();
    }
  });
}

}  // namespace st::library
