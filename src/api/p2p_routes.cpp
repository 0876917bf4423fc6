// The P2P surface of the original: /api/p2p/status and network-graph, the peer admin endpoints (list, add,
// remove, ping) and the library-sync overview.
// Answers 503 when the node is not running (P2P_ENABLED unset).
#include <cmath>

#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/pagination.hpp"
#include "api/p2p_dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

library::P2pService& node(P2pDeps& d) {
  if (!d.p2p) throw model::DomainError(model::ErrorKind::unavailable, "P2P node is not enabled");
  return *d.p2p;
}

json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& x : v) a.push_back(json::value(x));
  return a;
}

json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// How the node reaches a peer: the link's path, why not when it cannot, and the addresses it may dial.
void add_reach(json::object& o, const library::PeerReach& r) {
  o["path"] = text_or_null(r.path);
  o["unreachable_reason"] = text_or_null(r.reason);
  json::array c;
  for (const auto& x : r.candidates)
    c.push_back(json::object{{"address", x.address},
                             {"source", x.source},
                             {"last_ok", x.last_ok ? json::value(util::to_rfc3339(x.last_ok)) : json::value(nullptr)}});
  o["candidates"] = std::move(c);
}

json::object reachability_json(const library::P2pReachability& r) {
  json::object pm{{"enabled", r.port_mapping_enabled},
                  {"active", r.port_mapping_active},
                  {"protocol", text_or_null(r.port_mapping_protocol)},
                  {"external", text_or_null(r.port_mapping_external)},
                  {"double_nat", r.double_nat},
                  {"last_error", text_or_null(r.port_mapping_error)}};
  json::object dht{{"enabled", r.dht_enabled},
                   {"routing_table_size", r.dht_routing_table_size},
                   {"last_publish", r.dht_last_publish ? json::value(util::to_rfc3339(r.dht_last_publish)) : json::value(nullptr)},
                   {"last_publish_stored", r.dht_last_publish_stored},
                   {"records_rejected", r.dht_records_rejected},
                   {"messages_dropped", r.dht_messages_dropped},
                   {"lookups", r.dht_lookups}};
  return json::object{{"published_addresses", strings(r.published_addresses)},
                      {"proven_addresses", strings(r.proven_addresses)},
                      {"port_mapping", std::move(pm)},
                      {"dht", std::move(dht)},
                      {"rendezvous_offered", r.rendezvous_offered},
                      {"rendezvous_peers", strings(r.rendezvous_peers)},
                      {"stun_servers", strings(r.stun_servers)},
                      {"turn_servers", strings(r.turn_servers)},
                      {"pkarr_relays", strings(r.pkarr_relays)},
                      {"relay_publishes", r.relay_publishes},
                      {"signals_forwarded", r.signals_forwarded},
                      {"signals_dropped", r.signals_dropped}};
}

json::object peer_json(const model::PeerRecord& p) {
  json::object o;
  o["node_id"] = p.node_id;
  o["name"] = opt(p.name);
  o["version"] = opt(p.version);
  o["track_count"] = p.track_count;
  o["last_seen"] = util::to_rfc3339(p.last_seen_at);
  o["is_online"] = p.is_online;
  // Ours: where we dial it, and how it has behaved.
  o["address"] = opt(p.address);
  o["failures"] = p.failures;
  o["strikes"] = p.strikes;
  return o;
}

json::object message(std::string text) {
  json::object o;
  o["message"] = std::move(text);
  return o;
}

std::string node_param(const http::Request& req) {
  std::string id(req.param("node_id"));
  for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool hex = id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex) model::throw_bad_request("Invalid node ID format");
  return id;
}

}  // namespace

void add_p2p_routes(http::Router& r, P2pDeps& d) {
  r.get("/api/p2p/status", [&d](http::Request& req) {
    gate(d.guard, req);
    json::object o;
    o["enabled"] = d.p2p != nullptr;
    o["relay_url"] = nullptr;
    o["relay_connected"] = false;
    o["dht_discovery_enabled"] = false;
    if (!d.p2p) {
      o["node_id"] = nullptr;
      o["direct_addresses"] = 0;
      o["peer_count"] = 0;
      o["online_peer_count"] = 0;
      return json_response(200, o);
    }
    auto s = d.p2p->status();
    o["node_id"] = s.node_id;
    o["peer_count"] = s.peer_count;
    o["online_peer_count"] = s.online_peer_count;
    o["listen_port"] = s.port;
    o["connections"] = s.connections;
    o["local_track_count"] = s.local_track_count;
    o["cache_bytes"] = s.cache_bytes;
    o["cache_max_bytes"] = s.cache_max_bytes;
    o["searches_answered"] = s.searches_answered;
    o["searches_sent"] = s.searches_sent;
    o["search_peers_asked"] = s.search_peers_asked;
    o["search_peers_skipped"] = s.search_peers_skipped;
    o["peer_bloom_filters"] = s.peer_filters;
    o["bloom_terms"] = s.bloom_terms;
    o["lan_discovery_enabled"] = s.lan_discovery;
    o["mdns_enabled"] = s.mdns;
    o["lan_announcements_sent"] = s.lan_announcements_sent;
    o["lan_announcements_heard"] = s.lan_announcements_heard;
    o["ranges_served"] = s.ranges_served;
    o["mdns_services_heard"] = s.mdns_services_heard;
    o["dht_discovery_enabled"] = s.reach.dht_enabled;
    o["direct_addresses"] = s.reach.published_addresses.size();
    o["reachability"] = reachability_json(s.reach);
    return json_response(200, o);
  });

  r.get("/api/p2p/network-graph", [&d](http::Request& req) {
    gate(d.guard, req);
    json::array nodes, links;
    if (d.p2p) {
      auto s = d.p2p->status();
      json::object self;
      self["id"] = s.node_id;
      self["node_type"] = "self";
      self["label"] = "Me (" + s.node_id.substr(0, 8) + "…)";
      self["online"] = true;
      self["track_count"] = s.local_track_count;
      self["version"] = d.version;
      nodes.push_back(std::move(self));
      for (const auto& p : d.p2p->peers()) {
        json::object n;
        n["id"] = p.node_id;
        n["node_type"] = "peer";
        n["label"] = (p.name ? *p.name : std::string("Peer")) + " (" + p.node_id.substr(0, 8) + "…)";
        n["online"] = p.is_online;
        n["track_count"] = p.track_count;
        n["version"] = opt(p.version);
        nodes.push_back(std::move(n));
        json::object l;
        l["source"] = s.node_id;
        l["target"] = p.node_id;
        l["link_type"] = "peer";
        links.push_back(std::move(l));
      }
    }
    json::object o;
    o["nodes"] = std::move(nodes);
    o["links"] = std::move(links);
    return json_response(200, o);
  });

  // The original's library-sync overview: per peer, what it announces and what we hold of it.
  r.get("/api/admin/p2p/library-sync", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array peers;
    std::int64_t local = 0, synced = 0, partial = 0, not_synced = 0, total = 0;
    if (d.p2p) {
      local = d.p2p->status().local_track_count;
      for (const auto& p : d.p2p->peers()) {
        ++total;
        auto have = d.p2p->remote_track_count(p.node_id);
        std::string state = !p.is_online ? "offline"
                            : p.track_count == 0 ? "empty"
                            : have >= p.track_count ? "synced"
                            : have > 0 ? "partial"
                                       : "not_synced";
        if (state == "synced") ++synced;
        else if (state == "partial") ++partial;
        else if (state == "not_synced") ++not_synced;
        json::object o;
        o["node_id"] = p.node_id;
        o["name"] = opt(p.name);
        o["version"] = opt(p.version);
        o["is_online"] = p.is_online;
        o["peer_announced_tracks"] = p.track_count;
        o["local_remote_tracks"] = have;
        o["available_tracks"] = have;
        o["our_track_count"] = local;
        o["sync_ratio"] = p.track_count > 0 ? std::round(100.0 * static_cast<double>(have) / static_cast<double>(p.track_count)) / 100.0 : 0.0;
        o["sync_state"] = state;
        o["last_seen"] = util::to_rfc3339(p.last_seen_at);
        o["sync_cursor"] = p.sync_cursor;
        peers.push_back(std::move(o));
      }
    }
    json::object o;
    o["local_track_count"] = local;
    o["total_peers"] = total;
    o["synced_peers"] = synced;
    o["partial_peers"] = partial;
    o["not_synced_peers"] = not_synced;
    o["peers"] = std::move(peers);
    return json_response(200, o);
  });

  // Tracks on peers (SearchQuery to every online peer): {results:[SearchResultItem], total}.
  r.get("/api/p2p/search", [&d](http::Request& req) {
    gate(d.guard, req);
    auto q = req.query("q");
    if (!q || util::trim(*q).empty()) model::throw_bad_request("Missing query parameter 'q'");
    auto limit = static_cast<std::size_t>(count_param(req, "limit", 20, 100));
    auto& n = node(d);
    json::array results;
    for (const auto& h : n.search(util::trim(*q), limit)) results.push_back(p2p_hit_json(h));
    json::object o;
    o["total"] = results.size();
    o["results"] = std::move(results);
    return json_response(200, o);
  });

  r.get("/api/admin/p2p/peers", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array a;
    if (d.p2p)
      for (const auto& p : d.p2p->peers()) {
        auto o = peer_json(p);
        add_reach(o, d.p2p->peer_reach(p.node_id));
        a.push_back(std::move(o));
      }
    return json_response(200, a);
  });

  r.post("/api/admin/p2p/peers", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto& n = node(d);
    auto body = parse_object(req);
    auto id = require_string(body, "node_id");
    auto address = optional_string(body, "address").value_or("");
    auto p = n.add_peer(util::trim(id), util::trim(address));
    auto o = message(p.is_online ? "peer " + p.node_id + " added and online" : "peer " + p.node_id + " added (not reachable yet)");
    auto po = peer_json(p);
    add_reach(po, n.peer_reach(p.node_id));
    o["message"] = p.is_online ? "peer " + p.node_id + " added and online"
                               : "peer " + p.node_id + " added (not reachable yet" +
                                     (po["unreachable_reason"].is_string()
                                          ? ": " + std::string(po["unreachable_reason"].as_string()) : std::string()) + ")";
    o["peer"] = std::move(po);
    return json_response(200, o);
  });

  r.del("/api/admin/p2p/peers/{node_id}", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto& n = node(d);
    auto id = node_param(req);
    if (!n.remove_peer(id)) model::throw_not_found("Peer not found");
    return json_response(200, message("peer " + id + " removed"));
  });

  r.post("/api/admin/p2p/peers/{node_id}/ping", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto& n = node(d);
    auto res = n.ping(node_param(req));
    auto o = message(res.message);
    o["ok"] = res.ok;
    return json_response(200, o);
  });
}

}  // namespace st::api
