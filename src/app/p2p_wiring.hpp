#pragma once
// The P2P node's options from the configuration and the services it works with, and the node of this
// process: it runs while this process leads the cluster (always, on one node).
#include <functional>
#include <memory>
#include <string_view>

#include "app/config.hpp"
#include "app/leader_replicas.hpp"
#include "app/p2p_on_leader.hpp"
#include "app/services.hpp"
#include "auth/cluster_tokens.hpp"
#include "model/track_health.hpp"
#include "p2p/node.hpp"

namespace st::app {

p2p::NodeOptions p2p_node_options(const Config& c, Services& s, model::TrackHealthRepository* health);

struct P2pParts {
  // Several nodes: how a follower gets replicas through the leader (declared first: outlives the node).
  std::unique_ptr<LeaderReplicas> through_leader;
  std::unique_ptr<P2pOnLeader> node;  // nothing when P2P is off
  // The node follows the admin's sharing settings: call with each changed setting's key.
  std::function<void(std::string_view key)> follow_settings;
};

// P2P_ENABLED=true: the node (started by lead(true)); cluster_tokens on several nodes only.
P2pParts make_p2p(const Config& c, Services& s, model::TrackHealthRepository& health,
                  const auth::ClusterTokens* cluster_tokens);

}  // namespace st::app
