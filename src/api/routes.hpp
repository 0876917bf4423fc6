#pragma once
// The REST route groups. Each takes the few services it uses (its *Deps, listed beside it), handed over
// by the composition root (app/routes_wiring.cpp), which keeps them alive as long as the server.
#include "api/deps.hpp"
#include "http/router.hpp"
#include "model/catalog.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace st::api {

// /healthz, /api/tos, /api/nodeinfo, /.well-known/nodeinfo
struct PublicDeps {
  Guard guard;
  auth::InstanceSettings& settings;
  model::StatsRepository& stats;
  std::string version;
  bool p2p_enabled = false;
  library::P2pService* p2p = nullptr;
};
void add_public_routes(http::Router& r, PublicDeps& d);

struct AuthDeps {
  Guard guard;
  auth::AccountService& accounts;
  auth::SessionService& sessions;
  std::string domain;  // SOUNDTIME_DOMAIN, for instance_id
};
void add_auth_routes(http::Router& r, AuthDeps& d);

struct SetupDeps {
  Guard guard;
  auth::AccountService& accounts;
  auth::SessionService& sessions;
  auth::InstanceSettings& settings;
  std::string domain;
};
void add_setup_routes(http::Router& r, SetupDeps& d);

// /api/auth/app-passwords: secrets for Subsonic apps (create, list, revoke).
struct AppPasswordDeps {
  Guard guard;
  auth::AppPasswords* app_passwords = nullptr;
};
void add_app_password_routes(http::Router& r, AppPasswordDeps& d);

struct AdminDeps {
  Guard guard;
  auth::AccountService& accounts;
  auth::InstanceSettings& settings;
  model::StatsRepository& stats;
  model::CatalogRepository* catalog = nullptr;
  bool p2p_enabled = false;
  library::P2pService* p2p = nullptr;
};
void add_admin_routes(http::Router& r, AdminDeps& d);

// Tracks, albums, artists, genres, stats, lyrics and media (covers).
struct CatalogDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  library::CoverStore* covers = nullptr;
  // Online lyrics from the provider the settings name, when the music carries none.
  library::OnlineLyrics online_lyrics;
  // Requests waiting on peers at once (fetches, searches), so that they cannot hold every HTTP worker.
  util::ConcurrencyGate* p2p_waits = nullptr;
  library::P2pService* p2p = nullptr;  // the running P2P node, or nothing when P2P is off
  model::TrackHealthRepository* track_health = nullptr;  // replicated copies and their health
};
void add_catalog_routes(http::Router& r, CatalogDeps& d);

// POST /api/upload and /api/upload/batch (multipart bodies arrive as files), and album covers.
struct UploadDeps {
  Guard guard;
  auth::InstanceSettings& settings;
  model::CatalogRepository* catalog = nullptr;
  library::CoverStore* covers = nullptr;
  library::Importer* importer = nullptr;
  library::UploadStore* uploads = nullptr;
  std::string temp_dir;  // where received bodies and form parts are written
  TrackFiles files;      // where uploads go (and how a failed one is removed)
};
void add_upload_routes(http::Router& r, UploadDeps& d);
// The body limit of upload requests (from the max_upload_size_mb setting), or nothing for other routes.
std::optional<std::uint64_t> upload_body_limit(UploadDeps& d, http::Method m, std::string_view path);
// For those routes, before their body is read: the refusal (401, 403) when the headers do not carry the
// credentials of an active account, nothing otherwise.
std::optional<http::Response> authorize_upload(UploadDeps& d, const http::Request& req);

// Playlists (with "mine" and reorder).
struct PlaylistDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  model::PlaylistRepository* playlists = nullptr;
};
void add_playlist_routes(http::Router& r, PlaylistDeps& d);

// Favorites, listening history, trending, user profiles.
struct ActivityDeps {
  Guard guard;
  auth::AccountService& accounts;
  model::CatalogRepository* catalog = nullptr;
  model::PlaylistRepository* playlists = nullptr;
  model::ActivityRepository* activity = nullptr;
  scrobble::Scrobbler* scrobbler = nullptr;  // Last.fm and ListenBrainz (queued deliveries)
};
void add_activity_routes(http::Router& r, ActivityDeps& d);

// Editing or deleting tracks.
struct TrackEditDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  TrackFiles files;
};
void add_track_edit_routes(http::Router& r, TrackEditDeps& d);
// Removes a track: row, orphans, and the file when it is an upload (never a scanned file).
void remove_track(const TrackFiles& d, const model::Track& t);

// GET /api/tracks/{id}/stream (originals with ranges, or transcoded) and /api/tracks/{id}/waveform.
struct StreamDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  library::TranscodeService* transcodes = nullptr;
  MediaStore media;
  library::P2pService* p2p = nullptr;
  util::ConcurrencyGate* p2p_waits = nullptr;
  model::TrackHealthRepository* track_health = nullptr;
  // Where recently played tracks' files are, for streams answered without the database.
  library::StreamSourceCache* stream_sources = nullptr;
};
void add_stream_routes(http::Router& r, StreamDeps& d);
// Computes and stores a track's waveform (uploads do it at once; scanned tracks on first request).
std::string waveform_json(model::CatalogRepository& catalog, const MediaStore& media, const model::Track& t);
// A local file with the bytes of file_path: itself, or the media cache's copy of an object (fetched when
// absent). Throws DomainError (404, 502, 503) when the store cannot provide it.
std::string local_media_path(const MediaStore& media, const std::string& file_path);

// /api/admin/storage/* (status, integrity check, sync = rescan, task status) and /api/admin/metadata/status.
struct AdminLibraryDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  library::StorageTasks* tasks = nullptr;
  library::ObjectStore* objects = nullptr;
  std::string audio_storage_path;
  model::MetadataRepository* metadata = nullptr;  // the peers' tracks' copies, counted
};
void add_admin_library_routes(http::Router& r, AdminLibraryDeps& d);

// Reports by listeners (POST /api/tracks/{id}/report) and moderation (/api/admin/reports, tracks browse).
struct ModerationDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  model::ReportRepository* reports = nullptr;
  TrackFiles files;
};
void add_moderation_routes(http::Router& r, ModerationDeps& d);

// /api/libraries and /api/libraries/{id}: the folders the music comes from.
struct LibraryDeps {
  Guard guard;
  auth::AccountService& accounts;
  auth::InstanceSettings& settings;
  model::CatalogRepository* catalog = nullptr;
  // The folders the library is scanned from (MUSIC_FOLDERS, then the upload storage), canonical.
  std::vector<std::string> library_roots;
};
void add_library_routes(http::Router& r, LibraryDeps& d);

// /api/admin/blocked-domains (list, add, remove, export, import).
struct BlocklistDeps {
  Guard guard;
  model::BlocklistRepository* blocklist = nullptr;
};
void add_blocklist_routes(http::Router& r, BlocklistDeps& d);

// /api/p2p/status, /api/p2p/network-graph, /api/admin/p2p/peers (list, add, remove, ping), library-sync.
struct P2pDeps {
  Guard guard;
  library::P2pService* p2p = nullptr;
  std::string version;
};
void add_p2p_routes(http::Router& r, P2pDeps& d);

// /api/admin/metadata/: coverage, MusicBrainz enrichment of one track or all, the task's progress.
struct MetadataDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  library::MetadataEnricher* enricher = nullptr;
  model::MetadataRepository* metadata = nullptr;
};
void add_metadata_routes(http::Router& r, MetadataDeps& d);

// /api/devices: a user's own instances whose playlists and favorites stay in sync (list, add, remove, sync).
struct DeviceDeps {
  Guard guard;
  model::DeviceRepository* devices = nullptr;
  library::P2pService* p2p = nullptr;
};
void add_device_routes(http::Router& r, DeviceDeps& d);

// /api/admin/remote-tracks, /api/admin/p2p/tracks/{id}/dereference|rereference, the library re-sync task
// (/api/admin/p2p/library-sync/{node_id}, task-status, task-dismiss) and /api/admin/p2p/logs.
struct P2pAdminDeps {
  Guard guard;
  library::P2pService* p2p = nullptr;
  model::TrackHealthRepository* track_health = nullptr;
  util::LogRing* p2p_logs = nullptr;  // the P2P layer's recent log events
};
void add_p2p_admin_routes(http::Router& r, P2pAdminDeps& d);

// /api/admin/instances (remote track sources) and /api/admin/instances/health-check.
struct InstanceDeps {
  Guard guard;
  model::BlocklistRepository* blocklist = nullptr;
  library::P2pService* p2p = nullptr;
  model::TrackHealthRepository* track_health = nullptr;
};
void add_instance_routes(http::Router& r, InstanceDeps& d);

// /api/admin/plugins: an empty list, every action 503 (we run no plugins).
struct PluginDeps {
  Guard guard;
};
void add_plugin_routes(http::Router& r, PluginDeps& d);

// /api/admin/listing/status, trigger and delist (the public directory listing).
struct ListingDeps {
  Guard guard;
  library::ListingService* listing = nullptr;
};
void add_listing_routes(http::Router& r, ListingDeps& d);

// /api/admin/themes (list, install from git, upload an archive, enable, disable, update, delete) and the
// public /api/themes/active, active.css and assets.
struct ThemeDeps {
  Guard guard;
  themes::ThemeService* themes = nullptr;
  auth::RateLimiter* theme_install_rate = nullptr;  // installs and updates per client
  std::string temp_dir;
};
void add_theme_routes(http::Router& r, ThemeDeps& d);
// The body limit of a theme archive upload, or nothing for other routes.
std::optional<std::uint64_t> theme_upload_body_limit(ThemeDeps& d, http::Method m, std::string_view path);

// /api/lastfm/* (the original's Last.fm endpoints) and /api/listenbrainz (a user's ListenBrainz token).
struct ScrobbleDeps {
  Guard guard;
  model::CatalogRepository* catalog = nullptr;
  scrobble::Scrobbler* scrobbler = nullptr;
};
void add_lastfm_routes(http::Router& r, ScrobbleDeps& d);
void add_listenbrainz_routes(http::Router& r, ScrobbleDeps& d);

// /api/editorial-playlists, /api/admin/editorial/status and /generate (AI editorial playlists).
struct EditorialDeps {
  Guard guard;
  editorial::Generator* editorial = nullptr;
};
void add_editorial_routes(http::Router& r, EditorialDeps& d);

// /api/admin/cluster: this node, whether it leads, and which node holds each cluster lock; and
// /api/cluster/replicas/{hash} for the other nodes.
struct ClusterDeps {
  Guard guard;
  // Several nodes on one PostgreSQL: their locks (nothing on SQLite, one node), this node's name, and
  // whether it leads (runs the background work) now.
  model::ClusterLocks* cluster = nullptr;
  std::string node_name;
  std::function<bool()> leads;
  // What a node shows another when it asks for a replica (nothing on one node).
  const auth::ClusterTokens* cluster_tokens = nullptr;
  library::P2pService* p2p = nullptr;
  util::ConcurrencyGate* p2p_waits = nullptr;
};
void add_cluster_routes(http::Router& r, ClusterDeps& d);

}  // namespace st::api
