#pragma once
// Authentication for REST handlers: the bearer token is checked against the live session and user
// on every call (bans and demotions apply at once).
#include <optional>
#include <string>

#include "api/deps.hpp"
#include "http/request.hpp"

namespace st::api {

// 401 without a valid access token; 403 when banned.
auth::AuthenticatedUser require_user(const Guard& d, const http::Request& req);
// As require_user, then 403 unless the user is an admin (the database's role, not the token's).
auth::AuthenticatedUser require_admin(const Guard& d, const http::Request& req);
// "Gated" content: open on a public instance (the user is attached when a valid token is sent),
// needs a valid token on a private one.
std::optional<auth::AuthenticatedUser> gate(const Guard& d, const http::Request& req);

// As gate(), also accepting the access token as ?token= for URLs that cannot carry a header
// (<audio src>, <img src>) on private instances.
std::optional<auth::AuthenticatedUser> gate_media(const Guard& d, const http::Request& req);

// gate_media from memory only, for fast paths that must not block: true when memory shows the request may
// pass (a public instance; a session checked moments ago), false when it cannot tell (gate_media decides).
bool gate_media_from_memory(const Guard& d, const http::Request& req);

// Who is calling, for the session record: client IP and User-Agent.
auth::ClientInfo client_info(const Guard& d, const http::Request& req);

// Throws 429 (with Retry-After) when the client has used up its allowance.
void enforce_rate_limit(const Guard& d, const http::Request& req);

}  // namespace st::api
