#pragma once
// JSON request bodies and responses for the REST API (Boost.JSON), with clear 400s.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/response.hpp"

namespace st::api {

namespace json = boost::json;

// The body as a JSON object. Throws DomainError: 415 for another content type, 400 for bad JSON or a
// non-object. An empty body is an empty object when allow_empty.
json::object parse_object(const http::Request& req, bool allow_empty = false);

// Required / optional typed fields; a wrong type or a missing required field is a 400 naming the field.
std::string require_string(const json::object& o, std::string_view key);
std::optional<std::string> optional_string(const json::object& o, std::string_view key);  // null = absent
bool require_bool(const json::object& o, std::string_view key);
std::optional<bool> optional_bool(const json::object& o, std::string_view key);
long long require_int(const json::object& o, std::string_view key);

// The path parameter `name` as a canonical UUID; a malformed one is a 404 with not_found_message.
std::string uuid_param(const http::Request& req, std::string_view name, std::string_view not_found_message);

// Serialises like json::serialize, but numbers with a fraction are printed the short, usual way
// (1.5, not Boost.JSON's 1.5E0) and non-finite ones as null.
std::string to_json(const json::value& v);
http::Response json_response(int status, const json::value& v);
json::value nullable(const std::optional<std::string>& s);

}  // namespace st::api
