#include "app/routes_wiring.hpp"

#include "app/version.hpp"
#include "subsonic/routes.hpp"

namespace st::app {

api::MediaStore media_store(const Config& c, Services& s) {
  return {.objects = s.objects.get(),
          .media_cache = s.media_cache.get(),
          .presigned_redirect = c.s3_presigned_redirect,
          .presigned_expiry = std::chrono::seconds(c.s3_presigned_seconds)};
}

std::unique_ptr<RestRoutes> rest_routes(const Config& c, Services& s, const RouteParts& p) {
  const api::Guard guard{.sessions = *s.sessions,
                         .settings = *s.settings,
                         .auth_rate_limiter = p.login_limiter,
                         .trusted_proxies = c.trusted_proxies};
  const api::MediaStore media = media_store(c, s);
  const api::TrackFiles files{.catalog = s.catalog.get(),
                              .stream_sources = &p.stream_sources,
                              .media = media,
                              .audio_storage_path = c.audio_storage_path};
  bool p2p_on = p.p2p != nullptr;
  auto* catalog = s.catalog.get();
  return std::unique_ptr<RestRoutes>(new RestRoutes{
      .pub = {.guard = guard, .settings = *s.settings, .stats = *s.stats, .version = kVersion, .p2p_enabled = p2p_on, .p2p = p.p2p},
      .auth = {.guard = guard, .accounts = *s.accounts, .sessions = *s.sessions, .domain = c.domain},
      .setup = {.guard = guard, .accounts = *s.accounts, .sessions = *s.sessions, .settings = *s.settings, .domain = c.domain},
      .admin = {.guard = guard, .accounts = *s.accounts, .settings = *s.settings, .stats = *s.stats, .catalog = catalog,
                .p2p_enabled = p2p_on, .p2p = p.p2p},
      .catalog = {.guard = guard, .catalog = catalog, .covers = s.covers.get(), .online_lyrics = p.online_lyrics,
                  .p2p_waits = &p.network_waits, .p2p = p.p2p, .track_health = &p.track_health},
      .upload = {.guard = guard, .settings = *s.settings, .catalog = catalog, .covers = s.covers.get(),
                 .importer = s.importer.get(), .uploads = s.uploads.get(), .temp_dir = s.temp_dir, .files = files},
      .playlists = {.guard = guard, .catalog = catalog, .playlists = s.playlists.get()},
      .activity = {.guard = guard, .accounts = *s.accounts, .catalog = catalog, .playlists = s.playlists.get(),
                   .activity = s.activity.get(), .scrobbler = &p.scrobbler},
      .track_edit = {.guard = guard, .catalog = catalog, .files = files},
      .stream = {.guard = guard, .catalog = catalog, .transcodes = s.transcodes.get(), .media = media,
                 .p2p = p.p2p, .p2p_waits = &p.network_waits, .track_health = &p.track_health,
                 .stream_sources = &p.stream_sources},
      .admin_library = {.guard = guard, .catalog = catalog, .tasks = s.tasks.get(), .objects = s.objects.get(),
                        .audio_storage_path = c.audio_storage_path, .metadata = s.metadata_repo.get()},
      .metadata = {.guard = guard, .catalog = catalog, .enricher = &p.enricher, .metadata = s.metadata_repo.get()},
      .devices = {.guard = guard, .devices = s.devices.get(), .p2p = p.p2p},
      .moderation = {.guard = guard, .catalog = catalog, .reports = s.reports.get(), .files = files},
      .app_passwords = {.guard = guard, .app_passwords = s.app_passwords.get()},
      .libraries = {.guard = guard, .accounts = *s.accounts, .settings = *s.settings, .catalog = catalog,
                    .library_roots = s.scan_roots},
      .blocklist = {.guard = guard, .blocklist = s.blocklist.get()},
      .p2p = {.guard = guard, .p2p = p.p2p, .version = kVersion},
      .p2p_admin = {.guard = guard, .p2p = p.p2p, .track_health = &p.track_health, .p2p_logs = &p.p2p_logs},
      .instances = {.guard = guard, .blocklist = s.blocklist.get(), .p2p = p.p2p, .track_health = &p.track_health},
      .plugins = {.guard = guard},
      .listing = {.guard = guard, .listing = &p.listing},
      .themes = {.guard = guard, .themes = p.themes, .theme_install_rate = p.theme_install_rate, .temp_dir = s.temp_dir},
      .scrobbling = {.guard = guard, .catalog = catalog, .scrobbler = &p.scrobbler},
      .editorial = {.guard = guard, .editorial = &p.editorial},
      .cluster = {.guard = guard, .cluster = s.cluster_locks.get(), .node_name = c.cluster_node_name, .leads = p.leads,
                  .cluster_tokens = p.cluster_tokens, .p2p = p.p2p, .p2p_waits = &p.network_waits},
  });
}

std::unique_ptr<subsonic::Deps> subsonic_deps(const Config& c, Services& s, const SubsonicParts& p) {
  return std::unique_ptr<subsonic::Deps>(new subsonic::Deps{
      .authenticator = *s.subsonic_auth,
      .accounts = *s.accounts,
      .settings = *s.settings,
      .users = *s.users,
      .catalog = *s.catalog,
      .playlists = *s.playlists,
      .activity = *s.activity,
      .annotations = *s.annotations,
      .play_queues = *s.play_queues,
      .shares = *s.shares,
      .radio_stations = *s.radio_stations,
      .covers = *s.covers,
      .transcodes = *s.transcodes,
      .tasks = *s.tasks,
      .server_version = kVersion,
      .trusted_proxies = c.trusted_proxies,
      .music_folders = s.scan_roots,
      .public_base_url = c.scheme + "://" + c.domain,
      .now_playing = {},
      .p2p_waits = &p.network_waits,
      .p2p = p.p2p,
      .track_health = &p.track_health,
      .online_lyrics = p.online_lyrics,
      .scrobbler = &p.scrobbler,
      .media_cache = s.media_cache.get(),
  });
}

void add_routes(http::Router& router, RestRoutes& rest, subsonic::Deps& subsonic_deps, unsigned network_waits) {
  api::add_public_routes(router, rest.pub);
  api::add_auth_routes(router, rest.auth);
  api::add_setup_routes(router, rest.setup);
  api::add_admin_routes(router, rest.admin);
  api::add_catalog_routes(router, rest.catalog);
  api::add_upload_routes(router, rest.upload);
  api::add_playlist_routes(router, rest.playlists);
  api::add_activity_routes(router, rest.activity);
  api::add_track_edit_routes(router, rest.track_edit);
  api::add_stream_routes(router, rest.stream);
  api::add_admin_library_routes(router, rest.admin_library);
  api::add_metadata_routes(router, rest.metadata);
  api::add_device_routes(router, rest.devices);
  api::add_moderation_routes(router, rest.moderation);
  api::add_app_password_routes(router, rest.app_passwords);
  api::add_library_routes(router, rest.libraries);
  api::add_blocklist_routes(router, rest.blocklist);
  subsonic::add_subsonic_routes(router, subsonic_deps);
  api::add_p2p_routes(router, rest.p2p);
  api::add_p2p_admin_routes(router, rest.p2p_admin);
  api::add_instance_routes(router, rest.instances);
  api::add_plugin_routes(router, rest.plugins);
  api::add_listing_routes(router, rest.listing);
  router.limit_concurrency(http::Method::get, "/api/p2p/search", network_waits, 5);
  api::add_theme_routes(router, rest.themes);
  // Clones wait on the network: at most two workers, never the catalogue's.
  router.limit_concurrency(http::Method::post, "/api/admin/themes/install", 2, 5);
  router.limit_concurrency(http::Method::post, "/api/admin/themes/{id}/update", 2, 5);
  api::add_lastfm_routes(router, rest.scrobbling);
  api::add_listenbrainz_routes(router, rest.scrobbling);
  // Connecting an account waits on Last.fm or ListenBrainz: bounded like the other network waits.
  router.limit_concurrency(http::Method::post, "/api/lastfm/callback", network_waits, 5);
  router.limit_concurrency(http::Method::put, "/api/listenbrainz", network_waits, 5);
  api::add_editorial_routes(router, rest.editorial);
  api::add_cluster_routes(router, rest.cluster);
  // A generation waits up to the AI timeout; a second one at once is refused (409) by the generator.
  router.limit_concurrency(http::Method::post, "/api/admin/editorial/generate", network_waits, 30);
}

}  // namespace st::app
