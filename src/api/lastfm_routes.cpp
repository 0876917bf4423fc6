// /api/lastfm/*: the original's Last.fm account endpoints (status, connect, callback, toggle, disconnect,
// now-playing). Deliveries are queued; only the callback waits on Last.fm (its route is bounded).
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "scrobble/scrobbler.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

json::object lastfm_status_json(const scrobble::LastfmStatus& s) {
  return {{"connected", s.connected}, {"username", nullable(s.username)}, {"scrobble_enabled", s.scrobble_enabled}};
}

http::Response set_enabled(ScrobbleDeps& d, http::Request& req) {
  auto who = require_user(d.guard, req);
  auto body = parse_object(req);
  d.scrobbler->lastfm_set_enabled(who.user.id, require_bool(body, "enabled"));
  return http::Response::empty(200);
}

}  // namespace

void add_lastfm_routes(http::Router& r, ScrobbleDeps& d) {
  if (!d.scrobbler) return;
  r.get("/api/lastfm/status", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    return json_response(200, lastfm_status_json(d.scrobbler->lastfm_status(who.user.id)));
  });
  r.get("/api/lastfm/connect", [&d](http::Request& req) {
    require_user(d.guard, req);
    if (!d.scrobbler->lastfm_has_key()) return http::Response::error(501, "Last.fm is not configured on this server");
    return json_response(200, json::object{{"auth_url", d.scrobbler->lastfm_authorize_url()}});
  });
  r.post("/api/lastfm/callback", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto token = require_string(body, "token");
    if (!d.scrobbler->lastfm_configured()) return http::Response::error(501, "Last.fm is not configured on this server");
    return json_response(200, lastfm_status_json(d.scrobbler->lastfm_connect(who.user.id, token)));
  });
  // The original's web app posts /scrobble, its server answers /toggle: both, same meaning.
  r.post("/api/lastfm/toggle", [&d](http::Request& req) { return set_enabled(d, req); });
  r.post("/api/lastfm/scrobble", [&d](http::Request& req) { return set_enabled(d, req); });
  r.del("/api/lastfm/disconnect", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    d.scrobbler->lastfm_disconnect(who.user.id);
    return http::Response::empty(204);
  });
  // Also tells ListenBrainz, when the user connected it.
  r.post("/api/lastfm/now-playing", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto id = util::normalize_uuid(require_string(body, "track_id"));
    auto track = id ? d.catalog->find_track(*id) : std::nullopt;
    if (!track) model::throw_not_found("Track not found");
    d.scrobbler->now_playing(who.user.id, *track);
    return http::Response::empty(200);
  });
}

}  // namespace st::api
