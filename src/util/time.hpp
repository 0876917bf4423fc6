#pragma once
#include <cstdint>
#include <string>

namespace st::util {

// Microseconds since the Unix epoch: how the database stores every timestamp (sortable, engine-neutral).
using Micros = std::int64_t;

Micros now_micros();
std::int64_t now_seconds();

// RFC 3339 with microseconds and a `+00:00` offset, as the original's API prints timestamps.
std::string to_rfc3339(Micros t);

// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") for HTTP headers.
std::string to_http_date(std::int64_t unix_seconds);

}  // namespace st::util
