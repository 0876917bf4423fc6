#pragma once
// What the REST route groups need, handed over by the composition root (app/).
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "auth/account_service.hpp"
#include "auth/cluster_tokens.hpp"
#include "auth/app_passwords.hpp"
#include "auth/instance_settings.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/session_service.hpp"
#include "editorial/generator.hpp"
#include "library/cover_store.hpp"
#include "library/importer.hpp"
#include "library/listing_service.hpp"
#include "library/lyrics_provider.hpp"
#include "library/media_cache.hpp"
#include "library/metadata_enricher.hpp"
#include "library/object_store.hpp"
#include "library/p2p_service.hpp"
#include "library/storage_tasks.hpp"
#include "library/stream_source_cache.hpp"
#include "library/transcode_service.hpp"
#include "library/upload_store.hpp"
#include "model/blocklist.hpp"
#include "model/catalog.hpp"
#include "model/cluster_locks.hpp"
#include "model/device.hpp"
#include "model/metadata_enrichment.hpp"
#include "model/playlist.hpp"
#include "model/report.hpp"
#include "model/settings.hpp"
#include "model/track_health.hpp"
#include "themes/theme_service.hpp"
#include "scrobble/scrobbler.hpp"
#include "util/concurrency_gate.hpp"
#include "util/log_ring.hpp"

namespace st::api {

struct ApiDeps {
  auth::AccountService& accounts;
  auth::SessionService& sessions;
  auth::InstanceSettings& settings;
  auth::RateLimiter& auth_rate_limiter;
  model::StatsRepository& stats;
  std::string domain;                        // SOUNDTIME_DOMAIN, for instance_id
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For we believe
  std::string version;
  bool p2p_enabled = false;
  model::CatalogRepository* catalog = nullptr;
  library::CoverStore* covers = nullptr;
  library::Importer* importer = nullptr;
  library::UploadStore* uploads = nullptr;
  std::string temp_dir;  // where received bodies and form parts are written
  model::PlaylistRepository* playlists = nullptr;
  model::ActivityRepository* activity = nullptr;
  std::string audio_storage_path;  // uploads live here; deleting such a track deletes its file
  library::TranscodeService* transcodes = nullptr;
  library::StorageTasks* tasks = nullptr;
  model::ReportRepository* reports = nullptr;
  auth::AppPasswords* app_passwords = nullptr;
  // Online lyrics from the provider the settings name, when the music carries none.
  library::OnlineLyrics online_lyrics;
  // The folders the library is scanned from (MUSIC_FOLDERS, then the upload storage), canonical.
  std::vector<std::string> library_roots;
  // Requests waiting on peers at once (fetches, searches), so that they cannot hold every HTTP worker.
  util::ConcurrencyGate* p2p_waits = nullptr;
  library::P2pService* p2p = nullptr;  // the running P2P node, or nothing when P2P is off
  model::BlocklistRepository* blocklist = nullptr;
  library::MetadataEnricher* enricher = nullptr;  // MusicBrainz enrichment
  model::MetadataRepository* metadata = nullptr;
  model::DeviceRepository* devices = nullptr;
  model::TrackHealthRepository* track_health = nullptr;  // replicated copies and their health
  util::LogRing* p2p_logs = nullptr;                     // the P2P layer's recent log events
  // Where recently played tracks' files are, for streams answered without the database (stream_routes).
  library::StreamSourceCache* stream_sources = nullptr;
  library::ListingService* listing = nullptr;  // the public directory listing
  themes::ThemeService* themes = nullptr;             // installed web themes
  auth::RateLimiter* theme_install_rate = nullptr;     // installs and updates per client
  scrobble::Scrobbler* scrobbler = nullptr;  // Last.fm and ListenBrainz (queued deliveries)
  editorial::Generator* editorial = nullptr;  // AI editorial playlists
  // STORAGE_BACKEND=s3: the store holding uploads and the bounded local copies of its objects; nothing
  // with local storage. Originals are answered with a presigned redirect when presigned_redirect.
  library::ObjectStore* objects = nullptr;
  library::MediaCache* media_cache = nullptr;
  bool presigned_redirect = false;
  std::chrono::seconds presigned_expiry{3600};
  // Several nodes on one PostgreSQL: their locks (nothing on SQLite, one node), this node's name, and
  // whether it leads (runs the background work) now.
  model::ClusterLocks* cluster = nullptr;
  std::string node_name;
  std::function<bool()> leads;
  // What a node shows another when it asks for a replica (nothing on one node): sent in kClusterTokenHeader.
  const auth::ClusterTokens* cluster_tokens = nullptr;
};

inline constexpr std::string_view kClusterTokenHeader = "X-SoundTime-Cluster";
inline constexpr std::string_view kReplicaPurpose = "replica";

}  // namespace st::api
