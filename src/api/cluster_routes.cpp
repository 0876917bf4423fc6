// GET /api/admin/cluster: the nodes sharing this database as an admin needs to see them — which node
// leads (runs scans, enrichment, the P2P node and the other background work) and which runs the library
// task now. On SQLite there is one node, always the leader.
// GET /api/cluster/replicas/{hash}: for the other nodes only (a cluster token bound to the hash), the
// verified bytes of a P2P-replicated track, which only the leader's P2P node can fetch.
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "http/range.hpp"
#include "library/replica_wait.hpp"
#include "model/errors.hpp"
#include "util/time.hpp"

namespace st::api {

void add_cluster_routes(http::Router& r, ClusterDeps& d) {
  r.get("/api/admin/cluster", [&d](http::Request& req) {
    require_admin(d.guard, req);
    bool leads = d.leads ? d.leads() : true;
    json::object o;
    o["node"] = d.node_name;
    o["leader"] = leads;
    o["clustered"] = d.cluster != nullptr;
    json::value leader_node = leads ? json::value(d.node_name) : json::value(nullptr);
    json::array locks;
    if (d.cluster) {
      for (const auto& h : d.cluster->holders()) {
        if (h.lock == "leader") leader_node = h.node;
        json::object l;
        l["lock"] = h.lock;
        l["node"] = h.node;
        locks.push_back(std::move(l));
      }
    }
    o["leader_node"] = leader_node;
    o["locks"] = std::move(locks);
    return json_response(200, o);
  });
  r.get("/api/cluster/replicas/{hash}", [&d](http::Request& req) {
    auto hash = std::string(req.param("hash"));
    auto token = req.headers.get(kClusterTokenHeader);
    if (!d.cluster_tokens || !token ||
        !d.cluster_tokens->check(*token, kReplicaPurpose, hash, util::now_seconds()))
      model::throw_forbidden("Only the nodes of this cluster ask for replicas");
    if (!d.p2p || (d.leads && !d.leads()))
      throw model::DomainError(model::ErrorKind::unavailable, "This node does not run the P2P node now", 2);
    auto path = library::wait_for_replica(*d.p2p, hash, {d.p2p_waits, std::chrono::seconds(30), req.client_gone});
    http::FileOptions o;
    o.content_type = "application/octet-stream";
    o.cache_control = "no-store";
    return http::file_response(req, path, o);
  });
}

}  // namespace st::api
