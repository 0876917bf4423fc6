// Blocked domains (web domains and P2P NodeIds), as the original: list, block, unblock, export, import.
// The P2P node refuses a blocked NodeId both ways at its next connection or request.
#include <boost/json/parse.hpp>

#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

json::object describe(const model::BlockedDomain& b) {
  json::object o;
  o["id"] = b.id;
  o["domain"] = b.domain;
  o["reason"] = nullable(b.reason);
  o["created_at"] = util::to_rfc3339(b.created_at);
  return o;
}

// A domain or NodeId as stored: trimmed, lower-cased; empty, too long or with spaces is refused.
std::optional<std::string> clean_domain(std::string_view raw) {
  auto d = util::to_lower(util::trim(raw));
  if (d.empty() || d.size() > 255 || d.find_first_of(" \t\r\n/") != std::string::npos) return std::nullopt;
  return d;
}

std::optional<std::string> clean_reason(const std::optional<std::string>& raw) {
  if (!raw) return std::nullopt;
  std::string r(util::trim(*raw));
  if (r.empty()) return std::nullopt;
  if (r.size() > 1000) model::throw_bad_request("reason must be at most 1000 characters");
  return r;
}

json::array all(BlocklistDeps& d) {
  json::array a;
  for (const auto& b : d.blocklist->list()) a.push_back(describe(b));
  return a;
}

}  // namespace

void add_blocklist_routes(http::Router& r, BlocklistDeps& d) {
  r.get("/api/admin/blocked-domains", [&d](http::Request& req) {
    require_admin(d.guard, req);
    return json_response(200, all(d));
  });
  r.get("/api/admin/blocked-domains/export", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto res = json_response(200, all(d));
    res.headers.set("Content-Disposition", "attachment; filename=\"soundtime-blocked-domains.json\"");
    return res;
  });
  r.post("/api/admin/blocked-domains", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    auto body = parse_object(req);
    auto domain = clean_domain(require_string(body, "domain"));
    if (!domain) model::throw_bad_request("domain must be a domain name or a NodeId, without spaces");
    model::BlockedDomain b{util::new_uuid(), *domain, clean_reason(optional_string(body, "reason")), util::now_micros()};
    if (!d.blocklist->add(b, who.user.id)) model::throw_conflict("Domain already blocked");
    return json_response(201, describe(b));
  });
  r.post("/api/admin/blocked-domains/import", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    json::value v;
    try {
      v = json::parse(req.body);
    } catch (const std::exception&) {
      model::throw_bad_request("The body must be a JSON array of {domain, reason}");
    }
    if (!v.is_array()) model::throw_bad_request("The body must be a JSON array of {domain, reason}");
    if (v.as_array().size() > 100'000) model::throw_bad_request("At most 100000 entries at once");
    std::int64_t imported = 0, skipped = 0;
    auto now = util::now_micros();
    for (const auto& item : v.as_array()) {
      const json::object* o = item.if_object();
      const json::value* dv = o ? o->if_contains("domain") : nullptr;
      auto domain = dv && dv->is_string() ? clean_domain(dv->as_string()) : std::nullopt;
      if (!domain) {
        ++skipped;
        continue;
      }
      std::optional<std::string> reason;
      if (const json::value* rv = o->if_contains("reason"); rv && rv->is_string() && rv->as_string().size() <= 1000)
        reason = clean_reason(std::string(rv->as_string()));
      if (d.blocklist->add({util::new_uuid(), *domain, reason, now}, who.user.id)) ++imported;
      else ++skipped;
    }
    json::object o;
    o["imported"] = imported;
    o["skipped"] = skipped;
    return json_response(200, o);
  });
  r.del("/api/admin/blocked-domains/{id}", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto id = uuid_param(req, "id", "Domain not found");
    if (!d.blocklist->remove(id)) model::throw_not_found("Domain not found");
    return http::Response::empty(204);
  });
}

}  // namespace st::api
