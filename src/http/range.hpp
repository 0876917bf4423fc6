#pragma once
// HTTP range requests (RFC 9110 §14) for one resource of known size, and file responses built on them.
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/response.hpp"

namespace st::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

enum class RangeKind {
  none,           // no Range header, or one we must ignore (other unit, several ranges, malformed): send all
  satisfiable,    // send `range` with 206
  unsatisfiable,  // 416 with Content-Range: bytes */size
};

struct RangeResult {
  RangeKind kind = RangeKind::none;
  ByteRange range;
};

// Parses a Range header value against a representation of `size` bytes.
// Supports `first-last`, `first-` and `-suffix`; several ranges are answered with the whole body.
RangeResult parse_range(std::string_view header, std::uint64_t size);

struct FileOptions {
  std::string content_type = "application/octet-stream";
  std::string cache_control;  // empty: none
  bool allow_ranges = true;
};

// Serves an open-able file with ETag/Last-Modified validators, If-None-Match / If-Modified-Since (304),
// Range / If-Range (206, 416). Returns 404 JSON when the file is missing or not a regular file.
Response file_response(const Request& req, const std::string& path, const FileOptions& opts);

}  // namespace st::http
