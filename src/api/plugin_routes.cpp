// /api/admin/plugins: the original runs WASM plugins (Extism on wasmtime); we run none (no WASM runtime in
// Debian 12 besides V8, and plugins would run third-party code in the server). Its web app's Plugins tab
// still loads: an empty list, and every action answers 503 as the original does when plugins are off.
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"

namespace st::api {

void add_plugin_routes(http::Router& r, PluginDeps& d) {
  r.get("/api/admin/plugins", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::object o;
    o["plugins"] = json::array{};
    return json_response(200, o);
  });
  auto disabled = [&d](http::Request& req) -> http::Response {
    require_admin(d.guard, req);
    throw model::DomainError(model::ErrorKind::unavailable, "Plugin system is not enabled");
  };
  r.post("/api/admin/plugins/install", disabled);
  r.post("/api/admin/plugins/{id}/enable", disabled);
  r.post("/api/admin/plugins/{id}/disable", disabled);
  r.post("/api/admin/plugins/{id}/update", disabled);
  r.del("/api/admin/plugins/{id}", disabled);
  r.get("/api/admin/plugins/{id}/config", disabled);
  r.put("/api/admin/plugins/{id}/config", disabled);
  r.get("/api/admin/plugins/{id}/logs", disabled);
  r.get("/api/admin/plugins/{id}/ui/{*path}", disabled);
}

}  // namespace st::api
