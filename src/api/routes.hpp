#pragma once
#include "api/deps.hpp"
#include "http/router.hpp"
#include "model/catalog.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace st::api {

void add_auth_routes(http::Router& r, ApiDeps& d);
void add_setup_routes(http::Router& r, ApiDeps& d);
// /api/auth/app-passwords: secrets for Subsonic apps (create, list, revoke).
void add_app_password_routes(http::Router& r, ApiDeps& d);
void add_admin_routes(http::Router& r, ApiDeps& d);
// Tracks, albums, artists, genres, stats, streaming and media (covers).
void add_catalog_routes(http::Router& r, ApiDeps& d);
// POST /api/upload and /api/upload/batch (multipart bodies arrive as files).
void add_upload_routes(http::Router& r, ApiDeps& d);
// The body limit of upload requests (from the max_upload_size_mb setting), or nothing for other routes.
std::optional<std::uint64_t> upload_body_limit(ApiDeps& d, http::Method m, std::string_view path);
// For those routes, before their body is read: the refusal (401, 403) when the headers do not carry the
// credentials of an active account, nothing otherwise.
std::optional<http::Response> authorize_upload(ApiDeps& d, const http::Request& req);
// Playlists (with "mine" and reorder), favorites, listening history, trending, user profiles,
// and editing or deleting tracks.
void add_playlist_routes(http::Router& r, ApiDeps& d);
void add_activity_routes(http::Router& r, ApiDeps& d);
void add_track_edit_routes(http::Router& r, ApiDeps& d);
// GET /api/tracks/{id}/stream (originals with ranges, or transcoded) and /api/tracks/{id}/waveform.
void add_stream_routes(http::Router& r, ApiDeps& d);
// Computes and stores a track's waveform (uploads do it at once; scanned tracks on first request).
std::string waveform_json(ApiDeps& d, const model::Track& t);
// A local file with the bytes of file_path: itself, or the media cache's copy of an object (fetched when
// absent). Throws DomainError (404, 502, 503) when the store cannot provide it.
std::string local_media_path(ApiDeps& d, const std::string& file_path);
// /api/admin/storage/* (status, integrity check, sync = rescan, task status) and /api/admin/metadata/status.
void add_admin_library_routes(http::Router& r, ApiDeps& d);
// Reports by listeners (POST /api/tracks/{id}/report) and moderation (/api/admin/reports, tracks browse).
void add_moderation_routes(http::Router& r, ApiDeps& d);
// Removes a track: row, orphans, and the file when it is an upload (never a scanned file).
void remove_track(ApiDeps& d, const model::Track& t);
// /api/libraries and /api/libraries/{id}: the folders the music comes from.
void add_library_routes(http::Router& r, ApiDeps& d);
// /api/admin/blocked-domains (list, add, remove, export, import).
void add_blocklist_routes(http::Router& r, ApiDeps& d);
// /api/p2p/status, /api/p2p/network-graph, /api/admin/p2p/peers (list, add, remove, ping), library-sync.
void add_p2p_routes(http::Router& r, ApiDeps& d);
// /api/admin/metadata/: coverage, MusicBrainz enrichment of one track or all, the task's progress.
void add_metadata_routes(http::Router& r, ApiDeps& d);
// /api/devices: a user's own instances whose playlists and favorites stay in sync (list, add, remove, sync).
void add_device_routes(http::Router& r, ApiDeps& d);
// /api/admin/remote-tracks, /api/admin/p2p/tracks/{id}/dereference|rereference, the library re-sync task
// (/api/admin/p2p/library-sync/{node_id}, task-status, task-dismiss) and /api/admin/p2p/logs.
void add_p2p_admin_routes(http::Router& r, ApiDeps& d);
// /api/admin/instances (remote track sources) and /api/admin/instances/health-check.
void add_instance_routes(http::Router& r, ApiDeps& d);
// /api/admin/plugins: an empty list, every action 503 (we run no plugins).
void add_plugin_routes(http::Router& r, ApiDeps& d);
// /api/admin/listing/status, trigger and delist (the public directory listing).
void add_listing_routes(http::Router& r, ApiDeps& d);
// /api/admin/themes (list, install from git, upload an archive, enable, disable, update, delete) and the
// public /api/themes/active, active.css and assets.
void add_theme_routes(http::Router& r, ApiDeps& d);
// The body limit of a theme archive upload, or nothing for other routes.
std::optional<std::uint64_t> theme_upload_body_limit(ApiDeps& d, http::Method m, std::string_view path);
// /api/lastfm/* (the original's Last.fm endpoints) and /api/listenbrainz (a user's ListenBrainz token).
void add_lastfm_routes(http::Router& r, ApiDeps& d);
void add_listenbrainz_routes(http::Router& r, ApiDeps& d);
// /api/editorial-playlists, /api/admin/editorial/status and /generate (AI editorial playlists).
void add_editorial_routes(http::Router& r, ApiDeps& d);
// /api/admin/cluster: this node, whether it leads, and which node holds each cluster lock.
void add_cluster_routes(http::Router& r, ApiDeps& d);
// /healthz, /api/tos, /api/nodeinfo, /.well-known/nodeinfo
void add_public_routes(http::Router& r, ApiDeps& d);

}  // namespace st::api
