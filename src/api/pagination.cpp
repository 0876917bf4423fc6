#include "api/pagination.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/errors.hpp"
#include "util/strings.hpp"

namespace st::api {

CountParse parse_count(std::string_view name, std::optional<std::string_view> raw, std::int64_t def, std::int64_t max) {
  CountParse r;
  if (!raw || raw->empty()) {
    r.value = def;
    return r;
  }
  auto n = util::parse_int(*raw);
  bool digits = raw->find_first_not_of("0123456789") == std::string_view::npos;
  if (!n && digits) n = max;  // too many digits for int64: as large as can be, hence clamped
  if (!n || *n < 1) {
    r.error = fmt::format("{} must be a whole number of at least 1 (at most {} are returned)", name, max);
    return r;
  }
  r.value = std::min<std::int64_t>(*n, max);
  return r;
}

std::int64_t count_param(const http::Request& req, std::string_view name, std::int64_t def, std::int64_t max) {
  auto v = req.query(name);
  auto r = parse_count(name, v ? std::optional<std::string_view>(*v) : std::nullopt, def, max);
  if (!r.error.empty()) model::throw_bad_request(r.error);
  return r.value;
}

model::Page page_param(const http::Request& req, std::int64_t def, std::int64_t max) {
  model::Page p;
  if (auto v = req.query("page"); v && !v->empty()) {
    auto n = util::parse_int(*v);
    if (!n) model::throw_bad_request("page must be a whole number");
    p.page = std::clamp<std::int64_t>(*n, 1, 1'000'000);
  }
  p.per_page = count_param(req, "per_page", def, max);
  return p;
}

}  // namespace st::api
