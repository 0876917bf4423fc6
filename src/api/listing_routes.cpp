// /api/admin/listing/*: the public directory listing's status, a heartbeat now, and delisting, with the
// original's JSON shapes (reference §1.7). The exchange with the directory runs on this worker, bounded by
// the service's 15 s timeout and one exchange at a time (a second waits for the first, bounded, then 409).
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"

namespace st::api {

namespace {

library::ListingService& listing(ListingDeps& d) {
  if (!d.listing) throw model::DomainError(model::ErrorKind::unavailable, "The directory listing is not available");
  return *d.listing;
}

json::value opt(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }

http::Response failure(const library::ListingOutcome& o) {
  json::object e;
  e["error"] = o.error_code;
  if (o.error_code != "listing is disabled") e["message"] = o.message;
  if (o.http_status == 502) {
    e["domain"] = o.domain;
    e["listing_url"] = o.listing_url;
  }
  return json_response(o.http_status, e);
}

}  // namespace

void add_listing_routes(http::Router& r, ListingDeps& d) {
  r.get("/api/admin/listing/status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto s = listing(d).status();
    json::object o;
    o["enabled"] = s.enabled;
    o["domain"] = s.domain;
    o["domain_is_local"] = s.domain_is_local;
    o["listing_url"] = s.listing_url;
    o["has_token"] = s.has_token;
    o["status"] = s.status;
    o["error"] = opt(s.error);
    o["last_heartbeat"] = opt(s.last_heartbeat);
    return json_response(200, o);
  });
  r.post("/api/admin/listing/trigger", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto o = listing(d).trigger();
    if (o.http_status != 200) return failure(o);
    json::object x;
    x["status"] = "ok";
    x["domain"] = o.domain;
    x["listing_url"] = o.listing_url;
    x["message"] = o.message;
    return json_response(200, x);
  });
  r.post("/api/admin/listing/delist", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto o = listing(d).delist();
    if (o.http_status != 200) return failure(o);
    json::object x;
    x["status"] = "ok";
    x["domain"] = o.domain;
    x["message"] = o.message;
    return json_response(200, x);
  });
}

}  // namespace st::api
