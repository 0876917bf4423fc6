// Themes, with the original's paths and JSON: the admin installs them from an HTTPS git URL (or, our
// addition, an uploaded archive), enables one, updates or deletes them; every page asks for the active one.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "http/multipart.hpp"
#include "http/static_files.hpp"
#include "model/errors.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

json::object describe(const model::Theme& t) {
  json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["version"] = t.version;
  o["description"] = nullable(t.description);
  o["author"] = nullable(t.author);
  o["license"] = nullable(t.license);
  o["homepage"] = nullable(t.homepage);
  o["git_url"] = t.git_url;
  o["source"] = t.git_url.empty() ? "upload" : "git";  // ours: an uploaded theme cannot be updated
  o["css_path"] = t.css_path;
  o["assets_path"] = nullable(t.assets_path);
  o["status"] = t.status;
  o["installed_at"] = util::to_rfc3339(t.installed_at);
  o["updated_at"] = util::to_rfc3339(t.updated_at);
  o["installed_by"] = nullable(t.installed_by);
  return o;
}

themes::ThemeService& service(ThemeDeps& d) {
  if (!d.themes) throw model::DomainError(model::ErrorKind::unavailable, "Themes are not available");
  return *d.themes;
}

// The original's limit on installs: a burst of 5, then one every 12 s per client.
void limit_installs(ThemeDeps& d, const http::Request& req) {
  if (!d.theme_install_rate) return;
  auto decision = d.theme_install_rate->take(http::client_ip(req, d.guard.trusted_proxies));
  if (!decision.allowed)
    throw model::DomainError(model::ErrorKind::too_many_requests,
                             fmt::format("Too many theme installs. Try again in {} s.", decision.retry_after_seconds),
                             decision.retry_after_seconds);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("theme file missing: " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::optional<std::uint64_t> theme_upload_body_limit(ThemeDeps& d, http::Method m, std::string_view path) {
  if (m != http::Method::post || path != "/api/admin/themes/upload" || !d.themes) return std::nullopt;
  return d.themes->max_bytes() + 1024 * 1024;  // multipart framing on top of the archive
}

void add_theme_routes(http::Router& r, ThemeDeps& d) {
  r.get("/api/admin/themes", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array a;
    for (const auto& t : service(d).list()) a.push_back(describe(t));
    json::object o;
    o["themes"] = std::move(a);
    return json_response(200, o);
  });
  r.post("/api/admin/themes/install", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    limit_installs(d, req);
    auto body = parse_object(req);
    auto url = require_string(body, "git_url");
    return json_response(201, describe(service(d).install_from_git(url, who.user.id)));
  });
  r.post("/api/admin/themes/upload", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    limit_installs(d, req);
    auto boundary = http::multipart_boundary(req.headers.get("Content-Type").value_or(""));
    if (!boundary || req.body_file.empty()) model::throw_bad_request("Expected a multipart/form-data body with an archive");
    http::MultipartLimits limits;
    limits.max_parts = 4;
    limits.max_file_bytes = service(d).max_bytes();
    auto form = http::parse_multipart(req.body_file, *boundary, d.temp_dir, limits);
    if (form.too_large)
      throw model::DomainError(model::ErrorKind::payload_too_large,
                               fmt::format("Archive too large (limit {} MB)", service(d).max_bytes() / (1024 * 1024)));
    if (!form.error.empty()) model::throw_bad_request("Malformed upload: " + form.error);
    auto files = form.files("file");
    if (files.empty()) files = form.files("archive");
    if (files.empty()) model::throw_bad_request("No archive provided (form field \"file\")");
    return json_response(201, describe(service(d).install_from_archive(files.front()->file_path, who.user.id)));
  });
  r.post("/api/admin/themes/{id}/enable", [&d](http::Request& req) {
    require_admin(d.guard, req);
    service(d).enable(uuid_param(req, "id", "Theme not found"));
    json::object o;
    o["status"] = "enabled";
    return json_response(200, o);
  });
  r.post("/api/admin/themes/{id}/disable", [&d](http::Request& req) {
    require_admin(d.guard, req);
    service(d).disable(uuid_param(req, "id", "Theme not found"));
    json::object o;
    o["status"] = "disabled";
    return json_response(200, o);
  });
  r.post("/api/admin/themes/{id}/update", [&d](http::Request& req) {
    require_admin(d.guard, req);
    limit_installs(d, req);
    return json_response(200, describe(service(d).update(uuid_param(req, "id", "Theme not found"))));
  });
  r.del("/api/admin/themes/{id}", [&d](http::Request& req) {
    require_admin(d.guard, req);
    service(d).remove(uuid_param(req, "id", "Theme not found"));
    return http::Response::empty(204);
  });

  // Public: every page load asks these (never gated, as the original).
  r.get("/api/themes/active", [&d](http::Request&) {
    auto t = d.themes ? d.themes->active() : std::nullopt;
    if (!t) return http::Response::empty(204);
    json::object o;
    o["id"] = t->id;
    o["name"] = t->name;
    o["version"] = t->version;
    o["description"] = nullable(t->description);
    o["author"] = nullable(t->author);
    o["css_url"] = "/api/themes/active.css";
    auto res = json_response(200, o);
    res.headers.set("Cache-Control", "no-cache");
    return res;
  });
  r.get("/api/themes/active.css", [&d](http::Request&) {
    auto t = d.themes ? d.themes->active() : std::nullopt;
    if (!t) return http::Response::empty(204);
    auto res = http::Response::text(200, read_file(t->css_path), "text/css; charset=utf-8");
    res.headers.set("Cache-Control", "public, max-age=3600");
    return res;
  });
  r.get("/api/themes/assets/{*path}", [&d](http::Request& req) {
    auto file = service(d).asset_file(req.param("path"));
    auto res = http::Response::text(200, read_file(file), http::content_type_for(file));
    res.headers.set("Cache-Control", "public, max-age=3600");
    return res;
  });
}

}  // namespace st::api
