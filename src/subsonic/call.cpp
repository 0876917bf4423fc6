#include "subsonic/call.hpp"

#include <fmt/format.h>

#include "util/strings.hpp"
#include "util/uuid.hpp"

namespace st::subsonic {

void fail(Code code, std::string message) { throw Error(code, std::move(message)); }
void not_found(std::string what) { throw Error(Code::not_found, what + " not found"); }

std::optional<std::string> Params::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_)
    if (k == key) return v;
  return std::nullopt;
}

std::vector<std::string> Params::all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs_)
    if (k == key) out.push_back(v);
  return out;
}

void Call::require_admin() const {
  if (!is_admin()) fail(Code::not_authorized, "This needs an administrator");
}

std::string Call::str(std::string_view key) const {
  auto v = params.get(key);
  if (!v || v->empty()) fail(Code::missing_parameter, fmt::format("Required parameter is missing: {}", key));
  return *v;
}

std::optional<std::string> Call::opt_str(std::string_view key) const { return params.get(key); }

std::optional<std::int64_t> Call::opt_int(std::string_view key, std::int64_t lo, std::int64_t hi) const {
  auto v = params.get(key);
  if (!v || v->empty()) return std::nullopt;
  auto n = util::parse_int(*v);
  if (!n || *n < lo || *n > hi)
    fail(Code::generic, fmt::format("Parameter {} must be a whole number from {} to {}", key, lo, hi));
  return *n;
}

std::int64_t Call::integer(std::string_view key, std::int64_t lo, std::int64_t hi) const {
  auto n = opt_int(key, lo, hi);
  if (!n) fail(Code::missing_parameter, fmt::format("Required parameter is missing: {}", key));
  return *n;
}

std::int64_t Call::int_or(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const {
  return opt_int(key, lo, hi).value_or(fallback);
}

std::optional<bool> Call::opt_bool(std::string_view key) const {
  auto v = params.get(key);
  if (!v || v->empty()) return std::nullopt;
  auto s = util::to_lower(*v);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  fail(Code::generic, fmt::format("Parameter {} must be true or false", key));
}

std::vector<std::string> Call::ids(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& v : params.all(key)) {
    auto id = util::normalize_uuid(v);
    if (!id) fail(Code::not_found, fmt::format("No such item: {}", v));
    out.push_back(std::move(*id));
  }
  return out;
}

}  // namespace st::subsonic
