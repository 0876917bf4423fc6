#pragma once
// The P2P node's options from the configuration and the services it works with.
#include "app/config.hpp"
#include "app/services.hpp"
#include "model/track_health.hpp"
#include "p2p/node.hpp"

namespace st::app {

p2p::NodeOptions p2p_node_options(const Config& c, Services& s, model::TrackHealthRepository* health);

}  // namespace st::app
