#pragma once
// What the Subsonic API needs, handed over by the composition root (app/).
#include <string>
#include <vector>

#include "auth/account_service.hpp"
#include "util/concurrency_gate.hpp"
#include "auth/app_passwords.hpp"
#include "auth/instance_settings.hpp"
#include "auth/subsonic_auth.hpp"
#include "library/media_cache.hpp"
#include "library/cover_store.hpp"
#include "library/lyrics_provider.hpp"
#include "library/p2p_service.hpp"
#include "library/storage_tasks.hpp"
#include "library/transcode_service.hpp"
#include "model/annotation.hpp"
#include "model/catalog.hpp"
#include "model/play_queue.hpp"
#include "model/playlist.hpp"
#include "model/radio_station.hpp"
#include "model/share.hpp"
#include "model/track_health.hpp"
#include "scrobble/scrobbler.hpp"
#include "subsonic/now_playing.hpp"
#include "subsonic/render_cache.hpp"

namespace st::subsonic {

struct Deps {
  auth::SubsonicAuthenticator& authenticator;
  auth::AccountService& accounts;
  auth::InstanceSettings& settings;
  model::UserRepository& users;
  model::CatalogRepository& catalog;
  model::PlaylistRepository& playlists;
  model::ActivityRepository& activity;
  model::AnnotationRepository& annotations;
  model::PlayQueueRepository& play_queues;
  model::ShareRepository& shares;
  model::RadioStationRepository& radio_stations;
  library::CoverStore& covers;
  library::TranscodeService& transcodes;
  library::StorageTasks& tasks;
  std::string server_version;
  std::vector<std::string> trusted_proxies;
  // The folders Subsonic apps browse by (MUSIC_FOLDERS, then the upload storage), in this order: the
  // folder id is the 1-based position.
  std::vector<std::string> music_folders;
  std::string public_base_url;  // for share links: scheme://domain
  NowPlaying now_playing;
  util::ConcurrencyGate* p2p_waits = nullptr;  // requests waiting on peers at once (as the REST API's)
  library::P2pService* p2p = nullptr;  // the running P2P node (replicated tracks), or nothing
  model::TrackHealthRepository* track_health = nullptr;  // copies of a song, for playing another one
  library::OnlineLyrics online_lyrics;  // the configured lyrics provider, when the music carries none
  scrobble::Scrobbler* scrobbler = nullptr;  // Last.fm and ListenBrainz (queued deliveries)
  library::MediaCache* media_cache = nullptr;  // STORAGE_BACKEND=s3: local copies of uploads' objects
  RenderCache renders;         // large bodies shared between requests (getArtists)
  RenderCache folder_renders;  // getIndexes' (a cache of its own: entries of one source at a time)
};

}  // namespace st::subsonic
