#include "auth/session_service.hpp"

#include <fmt/format.h>

#include "crypto/jwt.hpp"
#include "crypto/token_hash.hpp"
#include "model/errors.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::auth {

std::string ban_message(const model::User& u) {
  return fmt::format("Your account has been banned. Reason: {}", u.ban_reason.value_or("No reason provided"));
}

namespace {

[[noreturn]] void throw_banned(const model::User& u) { model::throw_forbidden(ban_message(u)); }

constexpr std::int64_t kMicros = 1'000'000;
// How long a check against the database vouches for its session, for checks that must not block.
constexpr auto kRecentCheckLife = std::chrono::seconds(5);
constexpr std::size_t kRecentChecksMax = 4096;

}  // namespace

SessionService::SessionService(TokenConfig config, model::UserRepository& users, model::SessionRepository& sessions)
    : config_(std::move(config)), users_(users), sessions_(sessions) {}

std::string SessionService::token_for(const model::User& user, std::string_view session_id, std::int64_t ttl,
                                      const char* type) {
  crypto::JwtClaims c;
  c.sub = user.id;
  c.username = user.username;
  c.role = std::string(model::to_string(user.role));
  c.token_type = type;
  c.sid = std::string(session_id);
  c.iat = util::now_seconds();
  c.exp = c.iat + ttl;
  return crypto::jwt_sign(c, config_.jwt_secret);
}

TokenPair SessionService::start(const model::User& user, const ClientInfo& client) {
  auto now = util::now_micros();
  model::Session s;
  s.id = util::new_uuid();
  s.user_id = user.id;
  s.created_at = now;
  s.expires_at = now + config_.refresh_ttl_seconds * kMicros;
  s.ip = client.ip;
  s.user_agent = client.user_agent.substr(0, 512);
  TokenPair p;
  p.refresh_token = crypto::new_opaque_token();
  sessions_.create(s, crypto::token_digest(p.refresh_token), s.expires_at);
  p.access_token = token_for(user, s.id, config_.access_ttl_seconds, "access");
  p.expires_in = config_.access_ttl_seconds;
  return p;
}

TokenPair SessionService::refresh(std::string_view refresh_token) {
  if (refresh_token.empty() || refresh_token.size() > 4096) model::throw_unauthorized("Invalid or expired refresh token");
  if (refresh_token.find('.') != std::string_view::npos) {
    auto r = crypto::jwt_verify(refresh_token, config_.jwt_secret, util::now_seconds());
    if (r.claims && r.claims->token_type == "access") model::throw_unauthorized("Invalid token type");
    model::throw_unauthorized("Invalid or expired refresh token");
  }
  auto now = util::now_micros();
  TokenPair p;
  p.refresh_token = crypto::new_opaque_token();
  auto r = sessions_.rotate(crypto::token_digest(refresh_token), crypto::token_digest(p.refresh_token), now,
                            now + config_.refresh_ttl_seconds * kMicros);
  switch (r.status) {
    case model::RotateStatus::session_ended:
      if (auto who = users_.find_by_id(r.user_id); who && who->is_banned)
        throw_banned(*who);
      model::throw_unauthorized("Invalid or expired refresh token");
    case model::RotateStatus::unknown_token:
      model::throw_unauthorized("Invalid or expired refresh token");
    case model::RotateStatus::reused_token:
      sessions_ended();
      model::throw_unauthorized("Refresh token already used: this session was ended for safety, please log in again");
    case model::RotateStatus::rotated:
      break;
  }
  auto user = users_.find_by_id(r.user_id);
  if (!user) model::throw_unauthorized("User no longer exists");
  if (user->is_banned) {
    sessions_.revoke(r.session_id, now);
    sessions_ended();
    throw_banned(*user);
  }
  p.access_token = token_for(*user, r.session_id, config_.access_ttl_seconds, "access");
  p.expires_in = config_.access_ttl_seconds;
  return p;
}

AuthenticatedUser SessionService::authenticate(std::string_view token) { return check(token, false); }

AuthenticatedUser SessionService::authenticate_media(std::string_view token) { return check(token, true); }

AuthenticatedUser SessionService::check(std::string_view token, bool allow_media) {
  auto r = crypto::jwt_verify(token, config_.jwt_secret, util::now_seconds());
  bool type_ok = r.claims && (r.claims->token_type == "access" || (allow_media && r.claims->token_type == "media"));
  if (!type_ok || r.claims->sid.empty()) model::throw_unauthorized("Invalid or expired token");
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(recent_mu_);
    generation = generation_;
  }
  auto user = sessions_.find_live_user(r.claims->sid, r.claims->sub, util::now_micros());
  if (!user || user->is_banned) {
    // A ban ends every session. 401 (the session is over: apps refresh, and the refresh answers 403), but
    // saying why rather than just "session ended" (the token itself was genuine).
    auto who = user ? user : users_.find_by_id(r.claims->sub);
    if (who && who->is_banned)
      model::throw_unauthorized(ban_message(*who));
    model::throw_unauthorized("Session expired or revoked, please log in again");
  }
  AuthenticatedUser who{std::move(*user), r.claims->sid};
  remember_check(who, generation);
  return who;
}

void SessionService::remember_check(const AuthenticatedUser& who, std::uint64_t generation_before) {
  std::lock_guard lock(recent_mu_);
  // A session ended while the database was read: the answer read may predate it, so it vouches for nothing.
  if (generation_ != generation_before) return;
  if (recent_.size() >= kRecentChecksMax && !recent_.count(who.session_id)) recent_.clear();
  recent_.insert_or_assign(who.session_id, RecentCheck{who, std::chrono::steady_clock::now()});
}

void SessionService::sessions_ended() {
  forget_recent_checks();
  if (on_ended_) on_ended_();
}

void SessionService::forget_recent_checks() {
  std::lock_guard lock(recent_mu_);
  ++generation_;
  recent_.clear();
}

std::optional<AuthenticatedUser> SessionService::authenticate_from_memory(std::string_view token, bool allow_media) {
  auto r = crypto::jwt_verify(token, config_.jwt_secret, util::now_seconds());
  bool type_ok = r.claims && (r.claims->token_type == "access" || (allow_media && r.claims->token_type == "media"));
  if (!type_ok || r.claims->sid.empty()) return std::nullopt;
  std::lock_guard lock(recent_mu_);
  auto it = recent_.find(r.claims->sid);
  if (it == recent_.end() || it->second.who.user.id != r.claims->sub ||
      std::chrono::steady_clock::now() - it->second.at > kRecentCheckLife)
    return std::nullopt;
  return it->second.who;
}

void SessionService::end_session(std::string_view session_id) {
  sessions_.revoke(session_id, util::now_micros());
  sessions_ended();
}

bool SessionService::end_session_by_refresh_token(std::string_view token) {
  if (token.empty() || token.size() > 4096) return false;
  bool ended = sessions_.revoke_by_token(crypto::token_digest(token), util::now_micros());
  sessions_ended();
  return ended;
}

void SessionService::end_all_sessions(std::string_view user_id) {
  sessions_.revoke_all_for_user(user_id, util::now_micros());
  sessions_ended();
}

void SessionService::end_other_sessions(std::string_view user_id, std::string_view keep) {
  sessions_.revoke_all_for_user(user_id, util::now_micros(), keep);
  sessions_ended();
}

void SessionService::purge_expired() { sessions_.purge_expired(util::now_micros()); }

std::string SessionService::media_token(const AuthenticatedUser& who, std::int64_t ttl_seconds) {
  return token_for(who.user, who.session_id, ttl_seconds, "media");
}

}  // namespace st::auth
