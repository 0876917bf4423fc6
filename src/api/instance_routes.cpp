// /api/admin/instances and its health check, for the original web app's "Instances" tab. Every source of
// remote tracks here is a P2P peer (instance_domain "p2p://<node>"): the health check reads whether the
// P2P node reaches each peer and sends nothing to any web domain (the original fetched
// /.well-known/nodeinfo of legacy ActivityPub domains, which we never store).
#include <set>

#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "util/strings.hpp"

namespace st::api {

namespace {

std::string node_of(std::string_view domain) {
  constexpr std::string_view scheme = "p2p://";
  return util::starts_with(domain, scheme) ? std::string(domain.substr(scheme.size())) : std::string();
}

std::vector<model::OriginCount> origins(InstanceDeps& d) {
  return d.track_health ? d.track_health->copies_by_origin() : std::vector<model::OriginCount>{};
}

}  // namespace

void add_instance_routes(http::Router& r, InstanceDeps& d) {
  // [{domain, track_count, is_blocked}], the most copies first. Blocked: the domain or the peer's NodeId
  // is on the block list.
  r.get("/api/admin/instances", [&d](http::Request& req) {
    require_admin(d.guard, req);
    std::set<std::string, std::less<>> blocked;
    if (d.blocklist)
      for (const auto& b : d.blocklist->list()) blocked.insert(util::to_lower(b.domain));
    json::array a;
    for (const auto& o : origins(d)) {
      json::object x;
      x["domain"] = o.domain;
      x["track_count"] = o.track_count;
      auto node = node_of(o.domain);
      x["is_blocked"] = blocked.contains(util::to_lower(o.domain)) || (!node.empty() && blocked.contains(node));
      a.push_back(std::move(x));
    }
    return json_response(200, a);
  });

  // {checked, instances:[{domain, is_available}]}: a peer is available when the P2P node has it online.
  r.post("/api/admin/instances/health-check", [&d](http::Request& req) {
    require_admin(d.guard, req);
    std::set<std::string, std::less<>> online;
    if (d.p2p)
      for (const auto& p : d.p2p->peers())
        if (p.is_online) online.insert(p.node_id);
    json::array a;
    for (const auto& o : origins(d)) {
      json::object x;
      x["domain"] = o.domain;
      auto node = node_of(o.domain);
      x["is_available"] = !node.empty() && online.contains(node);
      a.push_back(std::move(x));
    }
    json::object out;
    out["checked"] = a.size();
    out["instances"] = std::move(a);
    return json_response(200, out);
  });
}

}  // namespace st::api
