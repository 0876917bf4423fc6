// /api/auth: registration, login, token refresh and logout, and the signed-in user's own account.
#include "api/auth_guard.hpp"
#include "api/dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"

namespace st::api {

void add_auth_routes(http::Router& r, AuthDeps& d) {
  r.post("/api/auth/register", [&d](http::Request& req) {
    enforce_rate_limit(d.guard, req);
    auto body = parse_object(req);
    auto a = new_account(body);
    auto user = d.accounts.register_user(std::move(a));
    auto tokens = d.sessions.start(user, client_info(d.guard, req));
    return json_response(201, auth_response(user, tokens, d.domain));
  });

  r.post("/api/auth/login", [&d](http::Request& req) {
    enforce_rate_limit(d.guard, req);
    auto body = parse_object(req);
    auto user = d.accounts.login(require_string(body, "username"), require_string(body, "password"));
    auto tokens = d.sessions.start(user, client_info(d.guard, req));
    return json_response(200, auth_response(user, tokens, d.domain));
  });

  r.post("/api/auth/refresh", [&d](http::Request& req) {
    enforce_rate_limit(d.guard, req);
    auto body = parse_object(req);
    return json_response(200, token_pair(d.sessions.refresh(require_string(body, "refresh_token"))));
  });

  // Ends the session of the access token, or of the refresh token in the body (an expired access
  // token must not keep a user from logging out).
  r.post("/api/auth/logout", [&d](http::Request& req) {
    auto body = parse_object(req, true);
    bool ended = false;
    if (auto rt = optional_string(body, "refresh_token")) ended = d.sessions.end_session_by_refresh_token(*rt);
    if (req.bearer_token()) {
      // Both given (as web apps do): the refresh token may have ended the bearer's session already.
      try {
        auto who = require_user(d.guard, req);
        d.sessions.end_session(who.session_id);
        ended = true;
      } catch (const model::DomainError&) {
        if (!ended) throw;
      }
    }
    if (!ended) model::throw_unauthorized("Invalid or expired token");
    return http::Response::empty(204);
  });

  r.get("/api/auth/me", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    return json_response(200, user_response(who.user, d.domain));
  });

  // Added: a token for <audio src="...?token="> and <img src>: media routes only, 6 hours, ends with the
  // session.
  r.get("/api/auth/media-token", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    constexpr std::int64_t ttl = 6 * 3600;
    json::object o;
    o["token"] = d.sessions.media_token(who, ttl);
    o["expires_in"] = ttl;
    return json_response(200, o);
  });

  r.put("/api/auth/email", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto user = d.accounts.change_email(who, require_string(body, "new_email"), require_string(body, "password"));
    return json_response(200, user_response(user, d.domain));
  });

  // Profile: the display name (added; the original has no way to change it).
  r.put("/api/auth/profile", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    if (!body.contains("display_name")) model::throw_bad_request("display_name is required (null removes it)");
    auto user = d.accounts.change_display_name(who, optional_string(body, "display_name"));
    return json_response(200, user_response(user, d.domain));
  });

  r.put("/api/auth/password", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    d.accounts.change_password(who, require_string(body, "current_password"), require_string(body, "new_password"));
    return http::Response::empty(204);
  });

  r.del("/api/auth/account", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    d.accounts.delete_account(who, require_string(body, "password"));
    return http::Response::empty(204);
  });
}

}  // namespace st::api
