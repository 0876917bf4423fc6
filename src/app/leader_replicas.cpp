#include "app/leader_replicas.hpp"

#include <fmt/format.h>

#include "api/deps.hpp"
#include "crypto/blake3.hpp"
#include "lib/curl/transfer.hpp"
#include "model/errors.hpp"
#include "p2p/blob_store.hpp"
#include "util/time.hpp"

namespace st::app {

namespace {

std::string url_key(std::string_view node_name) { return "cluster_node_url:" + std::string(node_name); }

}  // namespace

LeaderReplicas::LeaderReplicas(model::ClusterLocks& locks, model::SettingsRepository& settings,
                               const auth::ClusterTokens& tokens, std::string cache_dir, std::uint64_t cache_bytes)
    : locks_(locks),
      settings_(settings),
      tokens_(tokens),
      cache_([this](const std::string& key, const std::function<bool(std::string_view)>& sink) { fetch(key, sink); },
             std::move(cache_dir), cache_bytes) {}

void LeaderReplicas::announce(model::SettingsRepository& settings, const std::string& node_name, const std::string& url) {
  settings.put(url_key(node_name), url);
}

std::string LeaderReplicas::leader_url() {
  using library::StorageError;
  std::vector<model::LockHolder> holders;
  try {
    holders = locks_.holders();
  } catch (const std::exception& e) {
    throw StorageError(StorageError::Kind::unavailable, std::string("the database cannot be reached: ") + e.what());
  }
  for (const auto& h : holders) {
    if (h.lock != "leader") continue;
    if (h.node == locks_.node_name())
      throw StorageError(StorageError::Kind::unavailable, "this node is becoming the leader; try again");
    if (auto url = settings_.get(url_key(h.node))) return *url;
    throw StorageError(StorageError::Kind::unavailable, "the leader " + h.node + " has not recorded its URL");
  }
  throw StorageError(StorageError::Kind::unavailable, "no node of the cluster leads at the moment");
}

void LeaderReplicas::fetch(const std::string& hash, const std::function<bool(std::string_view)>& sink) {
  using library::StorageError;
  lib::curl::Transfer t;
  t.url = leader_url() + "/api/cluster/replicas/" + hash;
  t.headers.emplace_back(std::string(api::kClusterTokenHeader), tokens_.mint(api::kReplicaPurpose, hash, util::now_seconds()));
  t.stall_seconds = 45;  // the leader may wait up to 30 s for peers before its first byte
  crypto::Blake3 hasher;
  t.sink = [&](std::string_view piece) {
    hasher.update(piece);
    return sink(piece);
  };
  lib::curl::TransferReply reply;
  try {
    reply = lib::curl::transfer(t);
  } catch (const lib::curl::TransportError& e) {
    throw StorageError(StorageError::Kind::unavailable, std::string("the leader cannot be reached: ") + e.what());
  }
  if (reply.status == 404) throw StorageError(StorageError::Kind::not_found, "the leader has no such track");
  if (reply.status != 200)
    throw StorageError(StorageError::Kind::unavailable,
                       fmt::format("the leader answered {}: {}", reply.status, reply.body.substr(0, 300)));
  if (crypto::to_hex(hasher.finish().root) != hash)
    throw StorageError(StorageError::Kind::unavailable, "the bytes from the leader do not match the track's hash");
}

std::string LeaderReplicas::materialize(std::string_view content_hash) {
  if (!p2p::is_hash_hex(content_hash)) throw model::DomainError(model::ErrorKind::not_found, "No such replicated track");
  try {
    return cache_.fetch(std::string(content_hash));
  } catch (const library::StorageError& e) {
    throw model::DomainError(model::ErrorKind::unavailable,
                             std::string("This track comes from a peer through the cluster's leader, and ") + e.what());
  }
}

}  // namespace st::app
