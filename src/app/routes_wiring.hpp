#pragma once
// Every route group of the server on one router, with the concurrency bounds of the routes that wait on
// the network: the table of what the server answers.
#include "api/deps.hpp"
#include "http/router.hpp"
#include "subsonic/deps.hpp"

namespace st::app {

// network_waits: how many workers each kind of network wait may hold at once.
void add_routes(http::Router& router, api::ApiDeps& deps, subsonic::Deps& subsonic_deps, unsigned network_waits);

}  // namespace st::app
