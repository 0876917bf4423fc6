#pragma once
// Every route group of the server on one router, with the concurrency bounds of the routes that wait on
// the network: the table of what the server answers, and of what each REST group is handed.
#include <functional>
#include <memory>

#include "api/routes.hpp"
#include "app/config.hpp"
#include "app/services.hpp"
#include "http/router.hpp"
#include "subsonic/deps.hpp"

namespace st::app {

// What serve() makes beside the Services that REST routes use (all alive as long as the server).
struct RouteParts {
  auth::RateLimiter& login_limiter;
  util::ConcurrencyGate& network_waits;  // requests waiting on peers and other services
  library::OnlineLyrics online_lyrics;
  library::MetadataEnricher& enricher;
  model::TrackHealthRepository& track_health;
  library::StreamSourceCache& stream_sources;
  util::LogRing& p2p_logs;
  library::ListingService& listing;
  scrobble::Scrobbler& scrobbler;
  editorial::Generator& editorial;
  themes::ThemeService* themes = nullptr;
  auth::RateLimiter* theme_install_rate = nullptr;
  library::P2pService* p2p = nullptr;  // nothing when P2P is off
  const auth::ClusterTokens* cluster_tokens = nullptr;  // nothing on one node
  std::function<bool()> leads;
};

// Each REST route group's services; the routes keep references to these, so they outlive the router.
struct RestRoutes {
  api::PublicDeps pub;
  api::AuthDeps auth;
  api::SetupDeps setup;
  api::AdminDeps admin;
  api::CatalogDeps catalog;
  api::UploadDeps upload;
  api::PlaylistDeps playlists;
  api::ActivityDeps activity;
  api::TrackEditDeps track_edit;
  api::StreamDeps stream;
  api::AdminLibraryDeps admin_library;
  api::MetadataDeps metadata;
  api::DeviceDeps devices;
  api::ModerationDeps moderation;
  api::AppPasswordDeps app_passwords;
  api::LibraryDeps libraries;
  api::BlocklistDeps blocklist;
  api::P2pDeps p2p;
  api::P2pAdminDeps p2p_admin;
  api::InstanceDeps instances;
  api::PluginDeps plugins;
  api::ListingDeps listing;
  api::ThemeDeps themes;
  api::ScrobbleDeps scrobbling;
  api::EditorialDeps editorial;
  api::ClusterDeps cluster;
};

// What serve() makes beside the Services that the OpenSubsonic routes use.
struct SubsonicParts {
  util::ConcurrencyGate& network_waits;
  library::OnlineLyrics online_lyrics;
  scrobble::Scrobbler& scrobbler;
  model::TrackHealthRepository& track_health;
  library::P2pService* p2p = nullptr;  // nothing when P2P is off
};
std::unique_ptr<subsonic::Deps> subsonic_deps(const Config& c, Services& s, const SubsonicParts& p);

// Where tracks' bytes are with object storage (empty without).
api::MediaStore media_store(const Config& c, Services& s);
// The table: which services each group gets.
std::unique_ptr<RestRoutes> rest_routes(const Config& c, Services& s, const RouteParts& p);

// network_waits: how many workers each kind of network wait may hold at once.
void add_routes(http::Router& router, RestRoutes& rest, subsonic::Deps& subsonic_deps, unsigned network_waits);

}  // namespace st::app
