#include "http/range.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::http {

namespace {

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

RangeResult parse_range(std::string_view header, std::uint64_t size) {
  RangeResult none;
  std::string_view h = util::trim(header);
  if (h.size() < 6 || !util::iequals(h.substr(0, 6), "bytes=")) return none;
  std::string_view spec = util::trim(h.substr(6));
  if (spec.find(',') != std::string_view::npos) return none;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return none;
  std::string_view a = util::trim(spec.substr(0, dash));
  std::string_view b = util::trim(spec.substr(dash + 1));
  RangeResult r;
  if (a.empty()) {
    std::uint64_t suffix = 0;
    if (!parse_u64(b, suffix)) return none;
    if (suffix == 0 || size == 0) {
      r.kind = RangeKind::unsatisfiable;
      return r;
    }
    r.kind = RangeKind::satisfiable;
    r.range.first = suffix >= size ? 0 : size - suffix;
    r.range.last = size - 1;
    return r;
  }
  std::uint64_t first = 0;
  if (!parse_u64(a, first)) return none;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    std::uint64_t l = 0;
    if (!parse_u64(b, l)) return none;
    if (l < first) return none;  // invalid range-spec: ignore the header (RFC 9110 §14.1.1)
    last = std::min(l, last);
  }
  if (first >= size) {
    r.kind = RangeKind::unsatisfiable;
    return r;
  }
  r.kind = RangeKind::satisfiable;
  r.range = {first, last};
  return r;
}

Response file_response(const Request& req, const std::string& path, const FileOptions& opts) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Response::error(404, "Not found");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Response::error(404, "Not found");
  }
  auto size = static_cast<std::uint64_t>(st.st_size);
  std::int64_t mtime = st.st_mtim.tv_sec;
  std::string etag = fmt::format("\"{:x}-{:x}-{:x}\"", size, mtime, static_cast<std::uint64_t>(st.st_mtim.tv_nsec));
  std::string last_modified = util::to_http_date(mtime);

  Response r(200);
  r.headers.set("Content-Type", opts.content_type);
  r.headers.set("ETag", etag);
  r.headers.set("Last-Modified", last_modified);
  if (opts.allow_ranges) r.headers.set("Accept-Ranges", "bytes");
  if (!opts.cache_control.empty()) r.headers.set("Cache-Control", opts.cache_control);

  bool not_modified = false;
  if (auto inm = req.headers.get("If-None-Match")) {
    for (auto tag : util::split(*inm, ',')) {
      auto t = util::trim(tag);
      if (util::starts_with(t, "W/")) t.remove_prefix(2);
      if (t == "*" || t == etag) not_modified = true;
    }
  } else if (auto ims = req.headers.get("If-Modified-Since")) {
    not_modified = util::trim(*ims) == last_modified;
  }
  if (not_modified && (req.method == Method::get || req.method == Method::head)) {
    ::close(fd);
    r.status = 304;
    r.headers.erase("Content-Type");
    r.body = std::string();
    return r;
  }

  FileBody body{fd, 0, size};
  auto range_header = req.headers.get("Range");
  if (opts.allow_ranges && range_header && req.method == Method::get) {
    // If-Range: the range applies only while the client's copy is current; else send everything.
    bool current = true;
    if (auto ir = req.headers.get("If-Range")) {
      auto v = util::trim(*ir);
      current = (v == etag) || (v == last_modified);
    }
    if (current) {
      auto rr = parse_range(*range_header, size);
      if (rr.kind == RangeKind::unsatisfiable) {
        ::close(fd);
        Response e = Response::error(416, "Requested range not satisfiable");
        e.headers.set("Content-Range", fmt::format("bytes */{}", size));
        e.headers.set("Accept-Ranges", "bytes");
        return e;
      }
      if (rr.kind == RangeKind::satisfiable) {
        r.status = 206;
        r.headers.set("Content-Range", fmt::format("bytes {}-{}/{}", rr.range.first, rr.range.last, size));
        body.offset = rr.range.first;
        body.length = rr.range.length();
      }
    }
  }
  r.body = body;
  return r;
}

}  // namespace st::http
