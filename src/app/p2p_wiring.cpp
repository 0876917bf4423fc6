#include "app/p2p_wiring.hpp"

#include <filesystem>
#include <set>

#include "app/version.hpp"
#include "lib/curl/http_get.hpp"
#include "p2p/lan_discovery.hpp"
#include "p2p/reach/address_scope.hpp"
#include "util/host_port.hpp"

namespace st::app {

namespace {

p2p::ReachOptions p2p_reach_options(const Config& c) {
  p2p::ReachOptions r;
  r.dht = c.p2p_dht;
  r.dht_bootstrap = c.p2p_dht_bootstrap;
  r.dht_port = c.p2p_dht_port;
  r.port_mapping = c.p2p_port_mapping;
  r.port_mapping_allow_reserved = c.p2p_lab_allow_reserved;
  p2p::set_reserved_scope_usable(c.p2p_lab_allow_reserved);  // a lab's 2001:db8::/32 is its internet
  r.stun = c.p2p_stun_servers;
  r.turn_secret = c.p2p_turn_secret;
  r.rendezvous = c.p2p_rendezvous;
  r.pkarr_relays = c.p2p_pkarr_relays;
  r.path_upgrade_interval = std::chrono::seconds(c.p2p_path_upgrade_seconds);
  r.http = [](const std::string& method, const std::string& url, const std::string& body) {
    constexpr long kTimeout = 5;
    constexpr std::size_t kMax = 4096;  // a record is at most 1072 bytes
    auto a = method == "PUT" ? lib::curl::put(url, body, "application/pkarr.org/relays#payload", kTimeout, kMax)
                             : lib::curl::get(url, kTimeout, kMax);
    return p2p::HttpAnswer{a.status, std::move(a.body)};
  };
  for (const auto& t : c.p2p_turn_servers) {  // [user:password@]host:port (checked by finalize)
    p2p::TurnConfig tc;
    auto at = t.rfind('@');
    auto hp = at == std::string::npos ? t : t.substr(at + 1);
    if (at != std::string::npos) {
      auto creds = t.substr(0, at);
      tc.username = creds.substr(0, creds.find(':'));
      tc.password = creds.substr(creds.find(':') + 1);
    }
    auto parsed = util::parse_host_port(hp);  // [v6]:port brackets removed
    if (!parsed) continue;
    tc.host = parsed->host;
    tc.port = parsed->port;
    r.turn.push_back(std::move(tc));
  }
  return r;
}

}  // namespace

p2p::NodeOptions p2p_node_options(const Config& c, Services& s, model::TrackHealthRepository* health) {
  p2p::NodeOptions o;
  o.bind_host = c.p2p_bind_host;
  o.bind_port = c.p2p_port;
  o.seed_peers = c.p2p_seed_peers;
  o.key_path = c.p2p_key_path;
  o.blobs_dir = c.p2p_blobs_dir;
  o.library_outboard_dir = (std::filesystem::path(c.data_dir) / "outboards").string();
  o.cache_max_bytes = c.p2p_cache_bytes;
  o.sync_interval = std::chrono::seconds(c.p2p_sync_interval_seconds);
  o.request_timeout = std::chrono::seconds(c.p2p_request_timeout_seconds);
  o.version = kVersion;
  o.friends_only = c.p2p_friends_only;
  o.friends = std::set<std::string>(c.p2p_friends.begin(), c.p2p_friends.end());
  o.pex_interval = std::chrono::seconds(c.p2p_pex_interval_seconds);
  o.pex_allow_local = c.p2p_lab_allow_reserved;
  o.pex_new_records_per_round = c.p2p_pex_records_per_round;
  o.max_peers = c.p2p_max_peers;
  o.pending_peers = c.p2p_pending_peers;
  o.push_tracks_per_minute = c.p2p_push_tracks_per_minute;
  o.max_tracks_per_peer = c.p2p_max_tracks_per_peer;
  o.bloom_max_bytes = static_cast<std::size_t>(c.p2p_bloom_max_bytes);
  o.advertise_addresses = c.p2p_advertise_addresses;
  o.peer_records_path = (std::filesystem::path(c.p2p_key_path).parent_path() / "peer_records.json").string();
  o.address_book_path = (std::filesystem::path(c.p2p_key_path).parent_path() / "peer_addresses.json").string();
  o.reach = p2p_reach_options(c);
  o.lan_discovery = c.p2p_lan_discovery;
  if (auto g = p2p::parse_lan_group(c.p2p_lan_group)) std::tie(o.lan.group, o.lan.group_port) = *g;
  o.lan.multicast = c.p2p_lan_multicast;
  o.lan.interface_ip = c.p2p_lan_interface;
  o.lan.interval = std::chrono::seconds(c.p2p_lan_interval_seconds);
  o.devices = s.devices.get();
  o.health = health;
  o.health_interval = std::chrono::seconds(c.p2p_health_interval_seconds);
  o.covers = s.covers.get();
  return o;
}

P2pParts make_p2p(const Config& c, Services& s, model::TrackHealthRepository& health,
                  const auth::ClusterTokens* cluster_tokens) {
  P2pParts parts;
  if (!c.p2p_enabled) return parts;
  auto make_node = [&c, &s, &health] {
    return std::make_unique<p2p::Node>(p2p_node_options(c, s, &health), *s.p2p_repo, *s.catalog);
  };
  // The admin's sharing settings drive the node; where none is stored, the environment decides (P2P on,
  // P2P_SHARING_MODE).
  auto apply_policy = [&s, &c](p2p::Node& n) {
    auto on = s.settings->stored("p2p_enabled");
    auto mode = s.settings->stored("p2p_sharing_mode");
    n.set_policy(on ? s.settings->flag("p2p_enabled") : true, mode ? *mode == "friends" : c.p2p_friends_only);
  };
  parts.node = std::make_unique<P2pOnLeader>(make_node, apply_policy);
  if (s.cluster_locks && cluster_tokens) {
    LeaderReplicas::announce(*s.settings_repo, c.cluster_node_name, c.cluster_node_url);
    parts.through_leader = std::make_unique<LeaderReplicas>(
        *s.cluster_locks, *s.settings_repo, *cluster_tokens,
        (std::filesystem::path(c.data_dir) / "cache" / "leader-replicas").string(), c.p2p_cache_bytes);
    parts.node->set_through_leader([r = parts.through_leader.get()](std::string_view hash) { return r->materialize(hash); });
  }
  parts.follow_settings = [n = parts.node.get()](std::string_view key) {
    if (key == "p2p_enabled" || key == "p2p_sharing_mode") n->reconfigure();
  };
  return parts;
}

}  // namespace st::app
