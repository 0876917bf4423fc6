#include "api/auth_guard.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/errors.hpp"
#include "util/strings.hpp"

namespace st::api {

auth::AuthenticatedUser require_user(const Guard& d, const http::Request& req) {
  auto token = req.bearer_token();
  if (!token) model::throw_unauthorized("Missing or invalid Authorization header");
  return d.sessions.authenticate(*token);
}

auth::AuthenticatedUser require_admin(const Guard& d, const http::Request& req) {
  auto who = require_user(d, req);
  if (!who.is_admin()) model::throw_forbidden("Admin access required");
  return who;
}

std::optional<auth::AuthenticatedUser> gate(const Guard& d, const http::Request& req) {
  auto token = req.bearer_token();
  if (!d.settings.is_private()) {
    if (!token) return std::nullopt;
    try {
      return d.sessions.authenticate(*token);
    } catch (const model::DomainError&) {
      return std::nullopt;  // a stale token on a public instance just means "anonymous"
    }
  }
  if (!token) model::throw_unauthorized("This instance is private. Authentication required.");
  return d.sessions.authenticate(*token);
}

std::optional<auth::AuthenticatedUser> gate_media(const Guard& d, const http::Request& req) {
  if (req.bearer_token()) return gate(d, req);
  auto token = req.query("token");
  if (!token || token->empty()) return gate(d, req);
  if (!d.settings.is_private()) {
    try {
      return d.sessions.authenticate_media(*token);
    } catch (const model::DomainError&) {
      return std::nullopt;
    }
  }
  return d.sessions.authenticate_media(*token);
}

bool gate_media_from_memory(const Guard& d, const http::Request& req) {
  auto is_private = d.settings.is_private_in_memory();
  if (!is_private) return false;
  // A public instance lets anyone at media; gate_media only attaches the user, which media routes ignore.
  if (!*is_private) return true;
  if (auto bearer = req.bearer_token()) return d.sessions.authenticate_from_memory(*bearer, false).has_value();
  auto token = req.query("token");
  return token && !token->empty() && d.sessions.authenticate_from_memory(*token, true).has_value();
}

auth::ClientInfo client_info(const Guard& d, const http::Request& req) {
  return auth::ClientInfo{http::client_ip(req, d.trusted_proxies), std::string(req.headers.get("User-Agent").value_or(""))};
}

void enforce_rate_limit(const Guard& d, const http::Request& req) {
  auto decision = d.auth_rate_limiter.take(http::client_ip(req, d.trusted_proxies));
  if (!decision.allowed)
    throw model::DomainError(model::ErrorKind::too_many_requests,
                             fmt::format("Too many attempts. Try again in {} s.", decision.retry_after_seconds),
                             decision.retry_after_seconds);
}

}  // namespace st::api
