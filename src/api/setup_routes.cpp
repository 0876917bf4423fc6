// /api/setup: the first-run wizard (never gated). Step 1 creates the admin, step 2 names the
// instance, step 3 sets the sharing and registration policy and closes the wizard.
#include "api/auth_guard.hpp"
#include "api/dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"

namespace st::api {

namespace {

json::object ok() {
  json::object o;
  o["ok"] = true;
  return o;
}

auth::AuthenticatedUser require_admin_during_setup(SetupDeps& d, const http::Request& req) {
  auto who = require_admin(d.guard, req);
  if (d.settings.flag("setup_complete")) model::throw_forbidden("Setup already complete");
  return who;
}

}  // namespace

void add_setup_routes(http::Router& r, SetupDeps& d) {
  r.get("/api/setup/status", [&d](http::Request&) {
    json::object o;
    o["setup_complete"] = d.settings.flag("setup_complete");
    o["has_admin"] = d.accounts.user_count() > 0;
    o["instance_private"] = d.settings.is_private();
    return json_response(200, o);
  });

  r.post("/api/setup/admin", [&d](http::Request& req) {
    enforce_rate_limit(d.guard, req);
    auto body = parse_object(req);
    auto a = new_account(body);
    auto user = d.accounts.create_setup_admin(std::move(a));
    auto tokens = d.sessions.start(user, client_info(d.guard, req));
    return json_response(201, auth_response(user, tokens, d.domain));
  });

  r.post("/api/setup/instance", [&d](http::Request& req) {
    require_admin_during_setup(d, req);
    auto body = parse_object(req);
    auto name = require_string(body, "instance_name");
    auto description = optional_string(body, "instance_description").value_or("");
    if (name.find_first_not_of(" \t") == std::string::npos) model::throw_bad_request("Instance name cannot be empty");
    if (name.size() > 128) model::throw_bad_request("Instance name must be at most 128 characters");
    d.settings.put("instance_name", name);
    d.settings.put("instance_description", description);
    if (auto priv = optional_bool(body, "instance_private")) d.settings.put("instance_private", *priv ? "true" : "false");
    return json_response(200, ok());
  });

  r.post("/api/setup/complete", [&d](http::Request& req) {
    require_admin_during_setup(d, req);
    auto body = parse_object(req);
    bool p2p = require_bool(body, "p2p_enabled");
    bool open = require_bool(body, "open_registrations");
    long long max_mb = require_int(body, "max_upload_size_mb");
    // Validate everything before writing anything, so a bad value leaves the wizard where it was.
    const auto* spec = model::find_setting("max_upload_size_mb");
    auto check = model::validate_setting(*spec, std::to_string(max_mb));
    if (!check.value) model::throw_bad_request(check.error);
    d.settings.put("p2p_enabled", p2p ? "true" : "false");
    d.settings.put("open_registrations", open ? "true" : "false");
    d.settings.put("max_upload_size_mb", *check.value);
    d.settings.put("setup_complete", "true");
    return json_response(200, ok());
  });
}

}  // namespace st::api
