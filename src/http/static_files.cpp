#include "http/static_files.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include "http/range.hpp"
#include "util/strings.hpp"

namespace st::http {

std::string content_type_for(std::string_view path) {
  auto dot = path.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : util::to_lower(path.substr(dot + 1));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "webmanifest") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  return "application/octet-stream";
}

namespace {
bool is_regular(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool accepts_gzip(const Request& req) {
  auto ae = req.headers.get("Accept-Encoding");
  if (!ae) return false;
  std::string lower = util::to_lower(*ae);
  for (auto part : util::split(lower, ',')) {
    auto p = util::trim(part);
    if (p.substr(0, 4) != "gzip") continue;
    auto q = p.find("q=");
    return q == std::string_view::npos || std::strtod(std::string(p.substr(q + 2)).c_str(), nullptr) > 0;
  }
  return false;
}

// The file, or its gzip twin made at build time (".gz" beside it) when the client takes gzip.
Response file_or_gzip(const Request& req, const std::string& full, const FileOptions& opts) {
  std::string gz = full + ".gz";
  if (!is_regular(gz)) return file_response(req, full, opts);
  Response res = accepts_gzip(req) ? file_response(req, gz, opts) : file_response(req, full, opts);
  if (accepts_gzip(req) && (res.status == 200 || res.status == 206 || res.status == 304))
    res.headers.set("Content-Encoding", "gzip");
  res.headers.set("Vary", "Accept-Encoding");
  return res;
}

}  // namespace

bool StaticFiles::available() const { return is_regular(root_ + "/index.html"); }

Response StaticFiles::serve(const Request& req) const {
  if (req.method != Method::get && req.method != Method::head) return Response::error(404, "Not found");
  // Refuse traversal outright rather than normalising it.
  for (auto seg : util::split(req.path, '/'))
    if (seg == ".." || seg == ".") return Response::error(404, "Not found");
  std::string rel = req.path == "/" ? "/index.html" : req.path;
  std::string full = root_ + rel;
  FileOptions opts;
  if (is_regular(full)) {
    opts.content_type = content_type_for(full);
    opts.cache_control = util::starts_with(req.path, "/_app/immutable/") ? "public, max-age=31536000, immutable"
                                                                         : "no-cache";
    return file_or_gzip(req, full, opts);
  }
  // A missing asset is a 404, not the app shell (which would be served as JavaScript).
  if (util::starts_with(req.path, "/_app/")) return Response::error(404, "Not found");
  opts.content_type = "text/html; charset=utf-8";
  opts.cache_control = "no-cache";
  return file_or_gzip(req, root_ + "/index.html", opts);
}

}  // namespace st::http
