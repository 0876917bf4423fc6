#include "app/routes_wiring.hpp"

#include "api/routes.hpp"
#include "subsonic/routes.hpp"

namespace st::app {

void add_routes(http::Router& router, api::ApiDeps& deps, subsonic::Deps& subsonic_deps, unsigned network_waits) {
  api::add_public_routes(router, deps);
  api::add_auth_routes(router, deps);
  api::add_setup_routes(router, deps);
  api::add_admin_routes(router, deps);
  api::add_catalog_routes(router, deps);
  api::add_upload_routes(router, deps);
  api::add_playlist_routes(router, deps);
  api::add_activity_routes(router, deps);
  api::add_track_edit_routes(router, deps);
  api::add_stream_routes(router, deps);
  api::add_admin_library_routes(router, deps);
  api::add_metadata_routes(router, deps);
  api::add_device_routes(router, deps);
  api::add_moderation_routes(router, deps);
  api::add_app_password_routes(router, deps);
  api::add_library_routes(router, deps);
  api::add_blocklist_routes(router, deps);
  subsonic::add_subsonic_routes(router, subsonic_deps);
  api::add_p2p_routes(router, deps);
  api::add_p2p_admin_routes(router, deps);
  api::add_instance_routes(router, deps);
  api::add_plugin_routes(router, deps);
  api::add_listing_routes(router, deps);
  router.limit_concurrency(http::Method::get, "/api/p2p/search", network_waits, 5);
  api::add_theme_routes(router, deps);
  // Clones wait on the network: at most two workers, never the catalogue's.
  router.limit_concurrency(http::Method::post, "/api/admin/themes/install", 2, 5);
  router.limit_concurrency(http::Method::post, "/api/admin/themes/{id}/update", 2, 5);
  api::add_lastfm_routes(router, deps);
  api::add_listenbrainz_routes(router, deps);
  // Connecting an account waits on Last.fm or ListenBrainz: bounded like the other network waits.
  router.limit_concurrency(http::Method::post, "/api/lastfm/callback", network_waits, 5);
  router.limit_concurrency(http::Method::put, "/api/listenbrainz", network_waits, 5);
  api::add_editorial_routes(router, deps);
  api::add_cluster_routes(router, deps);
  // A generation waits up to the AI timeout; a second one at once is refused (409) by the generator.
  router.limit_concurrency(http::Method::post, "/api/admin/editorial/generate", network_waits, 30);
}

}  // namespace st::app
