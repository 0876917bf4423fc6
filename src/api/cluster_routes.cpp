// GET /api/admin/cluster: the nodes sharing this database as an admin needs to see them — which node
// leads (runs scans, enrichment, the P2P node and the other background work) and which runs the library
// task now. On SQLite there is one node, always the leader.
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"

namespace st::api {

void add_cluster_routes(http::Router& r, ApiDeps& d) {
  r.get("/api/admin/cluster", [&d](http::Request& req) {
    require_admin(d, req);
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
}

}  // namespace st::api
