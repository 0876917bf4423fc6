#pragma once
// The original's SearchResultItem (distributed search hits), shared by /api/p2p/search and
// /api/search?include_p2p=true.
#include "api/json.hpp"
#include "library/p2p_service.hpp"

namespace st::api {

json::object p2p_hit_json(const library::P2pSearchHit& h);

}  // namespace st::api
