#pragma once
// One Subsonic call: its parameters (query string and form body together, repeated keys kept), the
// authenticated user, and typed accessors that fail with the protocol's error codes.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"
#include "model/user.hpp"
#include "subsonic/deps.hpp"
#include "subsonic/node.hpp"

namespace st::subsonic {

// The protocol's error codes (OpenSubsonic "error" response).
enum class Code : int {
  generic = 0,
  missing_parameter = 10,
  client_too_old = 20,
  server_too_old = 30,
  wrong_credentials = 40,
  token_not_supported = 41,
  mechanism_not_supported = 42,
  conflicting_mechanisms = 43,
  invalid_api_key = 44,
  not_authorized = 50,
  trial_expired = 60,
  not_found = 70,
};

class Error : public std::runtime_error {
 public:
  Error(Code code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
  Code code() const noexcept { return code_; }

 private:
  Code code_;
};

[[noreturn]] void fail(Code code, std::string message);
[[noreturn]] void not_found(std::string what);  // code 70, "<what> not found"

class Params {
 public:
  void add(std::string key, std::string value) { pairs_.emplace_back(std::move(key), std::move(value)); }
  std::optional<std::string> get(std::string_view key) const;
  std::vector<std::string> all(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

struct Call {
  const http::Request& req;
  Params params;
  Deps& d;
  model::User user;
  std::string client;             // c
  bool by_app_password = false;   // authenticated by an app password or API key, not the account password

  bool is_admin() const { return user.role == model::Role::admin; }
  void require_admin() const;

  // A required string (error 10 when missing or empty).
  std::string str(std::string_view key) const;
  std::optional<std::string> opt_str(std::string_view key) const;
  // Integers: error 0 (with the parameter's name) when not a number or out of [lo, hi].
  std::optional<std::int64_t> opt_int(std::string_view key, std::int64_t lo, std::int64_t hi) const;
  std::int64_t integer(std::string_view key, std::int64_t lo, std::int64_t hi) const;
  std::int64_t int_or(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const;
  std::optional<bool> opt_bool(std::string_view key) const;
  // Every value of a repeated id parameter, each a valid id (or error 70 for an unknown one).
  std::vector<std::string> ids(std::string_view key) const;
};

// A handler answers with a body (wrapped in the envelope in the requested format) or a raw response
// (streams, images).
using Reply = std::variant<Node, http::Response>;
using Handler = std::function<Reply(Call&)>;

struct Method {
  Handler handler;
  bool needs_auth = true;
};

using MethodTable = std::vector<std::pair<std::string, Method>>;

}  // namespace st::subsonic
