// Routes anyone may call: health, terms of service (gated on private instances), node info.
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

constexpr std::string_view kDefaultTos = R"(# Terms of Service

By using this SoundTime instance you agree to these terms.

1. **Your content.** Upload only music you have the right to share. You remain responsible for what you upload.
2. **Respect.** Do not use this instance to harass others or to distribute illegal content.
3. **Moderation.** The administrators may remove content or suspend accounts that break these terms.
4. **Privacy.** This instance stores your account details and listening history to provide the service. It does
   not sell them. Ask an administrator to delete your data, or delete your account from the settings page.
5. **No warranty.** The service is provided as is, without any guarantee of availability.
)";

}  // namespace

void add_public_routes(http::Router& r, PublicDeps& d) {
  r.add(
      http::Method::get, "/healthz",
      [&d](http::Request&) {
        return http::Response::json(200, R"({"status":"ok","version":")" + http::json_escape(d.version) + "\"}");
      },
      /*inline_safe=*/true);

  r.get("/api/tos", [&d](http::Request& req) {
    gate(d.guard, req);
    auto content = d.settings.text("tos_content");
    bool is_default = util::trim(content).empty();
    json::object o;
    o["content"] = is_default ? std::string(kDefaultTos) : content;
    o["is_default"] = is_default;
    return json_response(200, o);
  });

  auto nodeinfo = [&d](http::Request&) {
    auto c = d.stats.admin_counts(util::now_micros());
    json::object o;
    o["name"] = d.settings.text("instance_name");
    o["description"] = d.settings.text("instance_description");
    o["version"] = d.version;
    o["track_count"] = c.total_tracks;
    o["user_count"] = c.total_users;
    o["open_registration"] = !d.settings.is_private() && d.settings.flag("open_registrations");
    o["p2p_enabled"] = d.p2p_enabled;
    o["p2p_node_id"] = d.p2p ? json::value(d.p2p->status().node_id) : json::value(nullptr);
    return json_response(200, o);
  };
  r.get("/api/nodeinfo", nodeinfo);
  r.get("/.well-known/nodeinfo", nodeinfo);
}

}  // namespace st::api
