#pragma once
#include "api/deps.hpp"
#include "http/router.hpp"

namespace st::api {

void add_auth_routes(http::Router& r, ApiDeps& d);
void add_setup_routes(http::Router& r, ApiDeps& d);
void add_admin_routes(http::Router& r, ApiDeps& d);
// Tracks, albums, artists, genres, stats, streaming and media (covers).
void add_catalog_routes(http::Router& r, ApiDeps& d);
// /healthz, /api/tos, /api/nodeinfo, /.well-known/nodeinfo
void add_public_routes(http::Router& r, ApiDeps& d);

}  // namespace st::api
