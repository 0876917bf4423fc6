// App passwords for Subsonic apps: POST /api/auth/app-passwords {"name"} -> 201 with the secret (shown
// once), GET lists them without secrets, DELETE /api/auth/app-passwords/{id} revokes one at once.
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

json::object describe(const model::AppPassword& p) {
  json::object o;
  o["id"] = p.id;
  o["name"] = p.name;
  o["created_at"] = util::to_rfc3339(p.created_at);
  o["last_used_at"] = p.last_used_at ? json::value(util::to_rfc3339(*p.last_used_at)) : json::value(nullptr);
  return o;
}

}  // namespace

void add_app_password_routes(http::Router& r, AppPasswordDeps& d) {
  r.post("/api/auth/app-passwords", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto created = d.app_passwords->create(who.user.id, require_string(body, "name"));
    auto o = describe(created.record);
    o["password"] = created.secret;
    auto res = json_response(201, o);
    res.headers.set("Cache-Control", "no-store");
    return res;
  });
  r.get("/api/auth/app-passwords", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    json::array list;
    for (const auto& p : d.app_passwords->list(who.user.id)) list.push_back(describe(p));
    return json_response(200, list);
  });
  r.del("/api/auth/app-passwords/{id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    d.app_passwords->revoke(who.user.id, req.param("id"));
    return http::Response::empty(204);
  });
}

}  // namespace st::api
