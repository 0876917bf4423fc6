#pragma once
// A cluster's follower plays P2P-replicated tracks through the leader, which alone runs the P2P node: it
// asks the leader (at the URL the leader recorded in the database) for a replica's bytes with a cluster
// token, checks them against the content hash they are named by, and keeps them in a bounded cache of its
// own, so a track is fetched from the leader once however many listen.
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/cluster_tokens.hpp"
#include "library/media_cache.hpp"
#include "model/cluster_locks.hpp"
#include "model/settings.hpp"

namespace st::app {

class LeaderReplicas {
 public:
  LeaderReplicas(model::ClusterLocks& locks, model::SettingsRepository& settings, const auth::ClusterTokens& tokens,
                 std::string cache_dir, std::uint64_t cache_bytes);

  // Records where the other nodes reach this one (at start; the settings key is not one of the catalogue's).
  static void announce(model::SettingsRepository& settings, const std::string& node_name, const std::string& url);

  // A local file with the replica's bytes. Throws model::DomainError (unavailable) when the leader cannot
  // give them, with its reason.
  std::string materialize(std::string_view content_hash);

 private:
  void fetch(const std::string& hash, const std::function<bool(std::string_view)>& sink);
  std::string leader_url();

  model::ClusterLocks& locks_;
  model::SettingsRepository& settings_;
  const auth::ClusterTokens& tokens_;
  library::MediaCache cache_;
};

}  // namespace st::app
