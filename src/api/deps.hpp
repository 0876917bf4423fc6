#pragma once
// What several REST route groups share; each group's own services are named beside its add_*_routes
// (routes.hpp), and the composition root (app/) hands each group exactly those.
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

// What every route group checks its requests with (auth_guard.hpp): sessions, the instance's privacy, the
// login rate limit, and the proxies whose X-Forwarded-For names the client.
struct Guard {
  auth::SessionService& sessions;
  auth::InstanceSettings& settings;
  auth::RateLimiter& auth_rate_limiter;
  const std::vector<std::string>& trusted_proxies;
};

// Where tracks' bytes are when object storage holds them (STORAGE_BACKEND=s3; all empty otherwise): the
// store, the bounded local copies of its objects, and whether originals are answered with a presigned
// redirect.
struct MediaStore {
  library::ObjectStore* objects = nullptr;
  library::MediaCache* media_cache = nullptr;
  bool presigned_redirect = false;
  std::chrono::seconds presigned_expiry{3600};
};

// What removing a track touches (remove_track): its row, the memory of where its file is, and the file or
// object itself when it is an upload.
struct TrackFiles {
  model::CatalogRepository* catalog = nullptr;
  library::StreamSourceCache* stream_sources = nullptr;
  MediaStore media;
  std::string audio_storage_path;  // uploads live here; deleting such a track deletes its file
};

inline constexpr std::string_view kClusterTokenHeader = "X-SoundTime-Cluster";
inline constexpr std::string_view kReplicaPurpose = "replica";

}  // namespace st::api
