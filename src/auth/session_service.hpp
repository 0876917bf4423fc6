#pragma once
// Access tokens (15-minute HS256 JWTs naming their session) and refresh tokens (opaque, 7 days, rotated
// on every use, stored as digests). Every authenticated request re-reads the user and the session, so a
// ban, a demotion, a deletion or a logout takes effect at once rather than when the token expires.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/session.hpp"
#include "model/user.hpp"

namespace st::auth {

struct TokenConfig {
  std::string jwt_secret;
  std::int64_t access_ttl_seconds = 900;
  std::int64_t refresh_ttl_seconds = 7 * 24 * 3600;
};

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;
};

struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

// What a banned user is told wherever they are turned away (login, access, refresh): the reason.
std::string ban_message(const model::User& u);

struct AuthenticatedUser {
  model::User user;
  std::string session_id;
  bool is_admin() const { return user.role == model::Role::admin; }
};

class SessionService {
 public:
  SessionService(TokenConfig config, model::UserRepository& users, model::SessionRepository& sessions);

  // Opens a new session (login, registration) and returns its first token pair.
  TokenPair start(const model::User& user, const ClientInfo& client);
  // Rotates a refresh token. Throws DomainError: 401 unknown/expired/reused (reuse revokes the session),
  // 401 when an access token is sent instead, 403 when the user is banned.
  TokenPair refresh(std::string_view refresh_token);
  // Checks an access token and the live state behind it. Throws DomainError 401 (bad, expired, revoked)
  // or 403 (banned).
  AuthenticatedUser authenticate(std::string_view access_token);

  void end_session(std::string_view session_id);
  // Logout by refresh token; false when the token is unknown.
  bool end_session_by_refresh_token(std::string_view refresh_token);
  void end_all_sessions(std::string_view user_id);
  void end_other_sessions(std::string_view user_id, std::string_view keep_session_id);
  void purge_expired();

  // A token for URLs that cannot carry a header (<audio src>, <img src>): it opens media routes only
  // (streams, covers), lives longer than an access token so playback and seeking survive, and dies with
  // its session like any other.
  std::string media_token(const AuthenticatedUser& who, std::int64_t ttl_seconds);
  // Accepts an access token or a media token (media routes only).
  AuthenticatedUser authenticate_media(std::string_view token);
  // As authenticate (or authenticate_media with allow_media), from memory only, for code that must not block: the outcome of a check of the
  // same session against the database in the last few seconds, provided no session has been ended since
  // (logout, ban, demotion, deletion, password change, refresh-token reuse all end sessions here). Nothing
  // when the database would be needed.
  std::optional<AuthenticatedUser> authenticate_from_memory(std::string_view token, bool allow_media);

  // Called after sessions end here (to tell the other nodes on the same database); one listener, set by
  // the composition root before requests are served.
  void on_sessions_ended(std::function<void()> listener) { on_ended_ = std::move(listener); }
  // Sessions ended on another node: nothing remembered from memory vouches for any session any more.
  void forget_recent_checks();

 private:
  std::string token_for(const model::User& user, std::string_view session_id, std::int64_t ttl, const char* type);
  AuthenticatedUser check(std::string_view token, bool allow_media);
  void remember_check(const AuthenticatedUser& who, std::uint64_t generation_before);
  void sessions_ended();

  struct RecentCheck {
    AuthenticatedUser who;
    std::chrono::steady_clock::time_point at;
  };

  TokenConfig config_;
  model::UserRepository& users_;
  model::SessionRepository& sessions_;
  std::mutex recent_mu_;
  std::uint64_t generation_ = 0;  // bumped whenever sessions end
  std::unordered_map<std::string, RecentCheck> recent_;  // by session id
  std::function<void()> on_ended_;
};

}  // namespace st::auth
