// /api/listenbrainz: the user's ListenBrainz token (status, set after checking it with ListenBrainz,
// remove). Listens and now-playing go through the same queue as Last.fm's.
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "scrobble/scrobbler.hpp"

namespace st::api {

namespace {

json::object listenbrainz_status_json(const scrobble::ListenBrainzStatus& s) {
  return {{"connected", s.connected}, {"username", nullable(s.username)},
          {"pending", static_cast<std::int64_t>(s.pending)}};
}

}  // namespace

void add_listenbrainz_routes(http::Router& r, ScrobbleDeps& d) {
  if (!d.scrobbler) return;
  r.get("/api/listenbrainz", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    return json_response(200, listenbrainz_status_json(d.scrobbler->listenbrainz_status(who.user.id)));
  });
  r.put("/api/listenbrainz", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto token = require_string(body, "token");
    return json_response(200, listenbrainz_status_json(d.scrobbler->listenbrainz_connect(who.user.id, token)));
  });
  r.del("/api/listenbrainz", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    d.scrobbler->listenbrainz_disconnect(who.user.id);
    return http::Response::empty(204);
  });
}

}  // namespace st::api
