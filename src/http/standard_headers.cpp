#include <algorithm>

#include "http/server.hpp"
#include "util/strings.hpp"

namespace st::http {

namespace {

bool open_path(const CorsOptions& cors, std::string_view path) {
  return std::any_of(cors.open_path_prefixes.begin(), cors.open_path_prefixes.end(),
                     [&](const std::string& p) { return path.substr(0, p.size()) == p; });
}

bool origin_allowed(std::string_view origin, const CorsOptions& cors, std::string_view path) {
  if (open_path(cors, path)) return true;
  return std::any_of(cors.allowed_origins.begin(), cors.allowed_origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

// One Vary header listing every field (a second Vary line is legal but many clients read only the first).
void add_vary(Headers& h, std::string_view field) {
  auto current = h.get("Vary");
  if (!current || current->empty()) return h.set("Vary", std::string(field));
  if (current->find(field) != std::string_view::npos) return;
  h.set("Vary", std::string(*current) + ", " + std::string(field));
}

}  // namespace

void apply_standard_headers(const Request& req, Response& res, const ServerOptions& opts) {
  auto& h = res.headers;
  h.set("X-Content-Type-Options", "nosniff");
  h.set("X-Frame-Options", "DENY");
  // Only over HTTPS (a TLS-terminating proxy says so): browsers ignore it on plain HTTP anyway.
  if (opts.hsts && util::to_lower(req.headers.get("X-Forwarded-Proto").value_or("")) == "https")
    h.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload");
  h.set("Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
        "media-src 'self' blob:; connect-src 'self'; font-src 'self' https: data:; frame-ancestors 'none'");
  h.set("Referrer-Policy", "strict-origin-when-cross-origin");
  h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (!req.request_id.empty()) h.set("X-Request-Id", req.request_id);
  constexpr const char* kExposed = "Content-Disposition, Content-Length, Content-Range, X-Request-Id";
  if (open_path(opts.cors, req.path)) {
    // Open paths authenticate by query, never by cookie: the same answer for every origin, and also for a
    // request without Origin. A browser reuses a cached answer (a preloaded stream, an immutable cover) for a
    // later CORS request of the same URL, which fails if that answer carried no Allow-Origin.
    h.set("Access-Control-Allow-Origin", "*");
    h.set("Access-Control-Expose-Headers", kExposed);
  } else if (auto origin = req.headers.get("Origin"); origin && origin_allowed(*origin, opts.cors, req.path)) {
    h.set("Access-Control-Allow-Origin", std::string(*origin));
    h.set("Access-Control-Expose-Headers", kExposed);
    add_vary(h, "Origin");
  } else if (!opts.cors.allowed_origins.empty()) {
    add_vary(h, "Origin");  // this answer is not for other origins: caches must not hand it to them
  }
}

Response preflight_response(const Request& req, const ServerOptions& opts) {
  auto origin = req.headers.get("Origin");
  if (!origin || !origin_allowed(*origin, opts.cors, req.path)) return Response::error(403, "Origin not allowed");
  Response r(204);
  r.headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  r.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Range");
  r.headers.set("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace st::http
