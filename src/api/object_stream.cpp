#include "api/object_stream.hpp"

#include <memory>

#include "http/range.hpp"
#include "library/object_range_reader.hpp"
#include "model/errors.hpp"

namespace st::api {

void throw_storage_error(const library::StorageError& e) {
  using K = library::StorageError::Kind;
  if (e.kind == K::not_found) model::throw_not_found("Audio file not found");
  throw model::DomainError(e.kind == K::unavailable ? model::ErrorKind::unavailable : model::ErrorKind::bad_gateway,
                           std::string("Object storage: ") + e.what());
}

http::Response object_response(const MediaStore& d, const http::Request& req, const std::string& file_path,
                               const std::string& content_type) {
  if (!d.objects || !d.media_cache)
    throw model::DomainError(model::ErrorKind::unavailable, "This track is in object storage, which is not configured");
  std::string key = library::object_key(file_path);
  http::FileOptions o;
  o.content_type = content_type;
  o.cache_control = "private, max-age=3600";
  try {
    if (d.presigned_redirect) {
      http::Response res(302);
      res.headers.set("Location", d.objects->presigned_url(key, d.presigned_expiry));
      res.headers.set("Cache-Control", "no-store");  // the URL expires
      return res;
    }
    if (auto local = d.media_cache->cached(key)) {
      auto res = http::file_response(req, *local, o);
      if (res.status != 404) return res;
    }
    auto meta = d.objects->head(key);
    if (!meta) model::throw_not_found("Audio file not found");
    auto range = http::parse_range(req.headers.get("Range").value_or(""), meta->size);
    if (range.kind == http::RangeKind::unsatisfiable) {
      http::Response res(416);
      res.headers.set("Content-Range", "bytes */" + std::to_string(meta->size));
      return res;
    }
    std::uint64_t first = 0, last = meta->size == 0 ? 0 : meta->size - 1;
    http::Response res(200);
    if (range.kind == http::RangeKind::satisfiable) {
      res.status = 206;
      first = range.range.first;
      last = range.range.last;
      res.headers.set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                           std::to_string(meta->size));
    }
    res.headers.set("Content-Type", o.content_type);
    res.headers.set("Cache-Control", o.cache_control);
    res.headers.set("Accept-Ranges", "bytes");
    if (!meta->etag.empty()) res.headers.set("ETag", meta->etag);
    if (meta->size > 0)
      res.body = http::pull_body(std::make_unique<library::ObjectRangeReader>(*d.objects, key, first, last));
    else
      res.body = std::string();
    return res;
  } catch (const library::StorageError& e) {
    throw_storage_error(e);
  }
}

}  // namespace st::api
