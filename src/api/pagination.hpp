#pragma once
// The one parser of page sizes and counts in query strings (per_page, limit, count). The original clamps
// a value above its maximum (its web app asks for favorites with per_page=200 and expects 200); a value
// below 1 or not a number is a 400 with a message naming the parameter.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "model/catalog.hpp"

namespace st::api {

struct CountParse {
  std::int64_t value = 0;
  std::string error;  // set when the value is refused
};

// raw: the parameter as received (nothing or empty: the default). Digits beyond int64 count as above max.
CountParse parse_count(std::string_view name, std::optional<std::string_view> raw, std::int64_t def, std::int64_t max);

// The query parameter `name` parsed as above; throws a 400 DomainError when refused.
std::int64_t count_param(const http::Request& req, std::string_view name, std::int64_t def, std::int64_t max);

// page (≥1, default 1) and per_page (default def, clamped to max); a bad value is a 400, not a crash.
model::Page page_param(const http::Request& req, std::int64_t def = 20, std::int64_t max = 100);

}  // namespace st::api
