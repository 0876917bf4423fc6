// /api/admin: users, settings, terms of service and statistics (admins only, checked against the database).
#include <fmt/format.h>

#include "api/auth_guard.hpp"
#include "api/dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

json::object message(std::string text) {
  json::object o;
  o["message"] = std::move(text);
  return o;
}

// Settings values are strings; booleans and numbers are accepted for convenience and stored as text.
std::string setting_value(const json::object& body) {
  auto it = body.find("value");
  if (it == body.end() || it->value().is_null()) model::throw_bad_request("Missing field 'value'");
  const auto& v = it->value();
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  model::throw_bad_request("Field 'value' must be a string");
}

void add_user_routes(http::Router& r, AdminDeps& d) {
  r.get("/api/admin/users", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array out;
    for (const auto& u : d.accounts.list_users()) out.push_back(admin_user(u));
    return json_response(200, out);
  });

  r.post("/api/admin/users", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto body = parse_object(req);
    auto a = new_account(body);
    auto role = optional_string(body, "role").value_or("user");
    auto parsed = model::parse_role(role);
    if (!parsed) model::throw_bad_request("Role must be 'admin' or 'user'");
    a.role = *parsed;
    return json_response(201, admin_user(d.accounts.create_by_admin(std::move(a))));
  });

  r.put("/api/admin/users/{id}/role", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto id = uuid_param(req, "id", "User not found");
    auto body = parse_object(req);
    auto role = model::parse_role(require_string(body, "role"));
    if (!role) model::throw_bad_request("Invalid role: must be 'admin' or 'user'");
    d.accounts.set_role(id, *role);
    return json_response(200, admin_user(d.accounts.get_user(id)));
  });

  r.put("/api/admin/users/{id}/ban", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    auto id = uuid_param(req, "id", "User not found");
    auto body = parse_object(req, true);
    d.accounts.ban(who.user.id, id, optional_string(body, "reason"));
    return http::Response::empty(204);
  });

  r.del("/api/admin/users/{id}/ban", [&d](http::Request& req) {
    require_admin(d.guard, req);
    d.accounts.unban(uuid_param(req, "id", "User not found"));
    return http::Response::empty(204);
  });
}

void add_settings_routes(http::Router& r, AdminDeps& d) {
  r.get("/api/admin/settings", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array out;
    for (const auto& s : d.settings.list()) {
      json::object o;
      o["key"] = s.key;
      o["value"] = s.value;
      o["is_secret"] = s.is_secret;
      o["is_default"] = s.is_default;
      out.push_back(std::move(o));
    }
    return json_response(200, out);
  });

  r.put("/api/admin/settings/{key}", [&d](http::Request& req) {
    require_admin(d.guard, req);
    std::string key(req.param("key"));
    auto body = parse_object(req);
    auto stored = d.settings.put(key, setting_value(body));
    const auto* spec = model::find_setting(key);
    json::object o;
    o["key"] = key;
    o["value"] = spec->type == model::SettingType::secret ? model::mask_secret(stored) : stored;
    return json_response(200, o);
  });

  r.put("/api/admin/tos", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto body = parse_object(req);
    d.settings.put("tos_content", require_string(body, "content"));
    return json_response(200, message("Terms of Service updated."));
  });

  r.del("/api/admin/tos", [&d](http::Request& req) {
    require_admin(d.guard, req);
    d.settings.reset("tos_content");
    return json_response(200, message("Terms of Service reset to default."));
  });
}

}  // namespace

void add_admin_routes(http::Router& r, AdminDeps& d) {
  add_user_routes(r, d);
  add_settings_routes(r, d);

  r.get("/api/admin/stats", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto c = d.stats.admin_counts(util::now_micros());
    json::object o;
    o["total_users"] = c.total_users;
    o["total_tracks"] = c.total_tracks;
    o["total_albums"] = c.total_albums;
    o["total_artists"] = c.total_artists;
    o["total_playlists"] = c.total_playlists;
    o["total_blocked_domains"] = c.total_blocked_domains;
    o["total_remote_tracks"] = c.total_remote_tracks;
    o["active_sessions"] = c.active_sessions;
    o["p2p_enabled"] = d.p2p_enabled;
    o["p2p_node_id"] = d.p2p ? json::value(d.p2p->status().node_id) : json::value(nullptr);
    // Beyond the original: the in-memory search index (SQLite), null where the database searches.
    if (auto si = d.catalog->search_index_status(); si.in_memory)
      o["search_index"] = json::object{{"ready", si.ready}, {"documents", si.documents}, {"memory_bytes", si.memory_bytes}};
    else
      o["search_index"] = nullptr;
    return json_response(200, o);
  });
}

}  // namespace st::api
