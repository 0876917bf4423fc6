#pragma once
#include "http/router.hpp"
#include "subsonic/deps.hpp"

namespace st::subsonic {

// /rest/<method> and /rest/<method>.view (GET, HEAD, form POST) for every method, and the public
// share pages under /share/.
void add_subsonic_routes(http::Router& r, Deps& d);

}  // namespace st::subsonic
