#include "api/json.hpp"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/uuid.hpp"

namespace st::api {

using model::throw_bad_request;

json::object parse_object(const http::Request& req, bool allow_empty) {
  if (auto ct = req.headers.get("Content-Type")) {
    auto base = util::to_lower(util::trim(ct->substr(0, ct->find(';'))));
    if (base != "application/json" && !(base.size() > 5 && base.ends_with("+json")))
      throw model::DomainError(model::ErrorKind::bad_request, "Content-Type must be application/json");
  }
  if (util::trim(req.body).empty()) {
    if (allow_empty) return {};
    throw_bad_request("Request body must be a JSON object");
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec) throw_bad_request(fmt::format("Invalid JSON body: {}", ec.message()));
  if (!v.is_object()) throw_bad_request("Request body must be a JSON object");
  return std::move(v.as_object());
}

namespace {
const json::value* find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}
}  // namespace

std::string require_string(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v || v->is_null()) throw_bad_request(fmt::format("Missing field '{}'", key));
  if (!v->is_string()) throw_bad_request(fmt::format("Field '{}' must be a string", key));
  return std::string(v->as_string());
}

std::optional<std::string> optional_string(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw_bad_request(fmt::format("Field '{}' must be a string", key));
  return std::string(v->as_string());
}

bool require_bool(const json::object& o, std::string_view key) {
  auto b = optional_bool(o, key);
  if (!b) throw_bad_request(fmt::format("Missing field '{}'", key));
  return *b;
}

std::optional<bool> optional_bool(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) throw_bad_request(fmt::format("Field '{}' must be true or false", key));
  return v->as_bool();
}

long long require_int(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v || v->is_null()) throw_bad_request(fmt::format("Missing field '{}'", key));
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<long long>(v->as_uint64());
  if (v->is_double() && v->as_double() == static_cast<double>(static_cast<long long>(v->as_double())))
    return static_cast<long long>(v->as_double());
  throw_bad_request(fmt::format("Field '{}' must be a whole number", key));
}

std::string uuid_param(const http::Request& req, std::string_view name, std::string_view not_found_message) {
  auto id = util::normalize_uuid(req.param(name));
  if (!id) model::throw_not_found(std::string(not_found_message));
  return *id;
}

namespace {
void write_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += json::serialize(json::string_view(kv.key()));
        out.push_back(':');
        write_json(out, kv.value());
      }
      out.push_back('}');
      break;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_json(out, e);
      }
      out.push_back(']');
      break;
    }
    case json::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) out += "null";
      else out += fmt::format("{}", d);
      break;
    }
    default:
      out += json::serialize(v);
  }
}
}  // namespace

std::string to_json(const json::value& v) {
  std::string out;
  write_json(out, v);
  return out;
}

http::Response json_response(int status, const json::value& v) { return http::Response::json(status, to_json(v)); }

json::value nullable(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::value(*s);
}

}  // namespace st::api
