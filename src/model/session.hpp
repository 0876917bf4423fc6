#pragma once
// Login sessions. A session is one refresh-token family: every refresh rotates its token, and
// presenting a token that was already rotated away revokes the whole family (theft detection).
#include <optional>
#include <string>
#include <string_view>

#include "model/user.hpp"
#include "util/time.hpp"

namespace st::model {

struct Session {
  std::string id;
  std::string user_id;
  util::Micros created_at = 0;
  util::Micros expires_at = 0;  // end of the family: refresh stops working then
  std::optional<util::Micros> revoked_at;
  std::string user_agent;
  std::string ip;
};

enum class RotateStatus { rotated, unknown_token, reused_token, session_ended };

struct RotateResult {
  RotateStatus status = RotateStatus::unknown_token;
  std::string session_id;
  std::string user_id;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual void create(const Session& session, std::string_view token_digest, util::Micros token_expires_at) = 0;

  // Atomically: finds the token; if it is current, marks it used and stores its successor.
  // A token already used revokes its session (reused_token).
  virtual RotateResult rotate(std::string_view old_digest, std::string_view new_digest, util::Micros now,
                              util::Micros new_token_expires_at) = 0;

  // The user behind a live session, or nothing when the session is revoked, expired or not the user's.
  virtual std::optional<User> find_live_user(std::string_view session_id, std::string_view user_id,
                                             util::Micros now) = 0;

  virtual void revoke(std::string_view session_id, util::Micros now) = 0;
  // Revokes the session a refresh token belongs to (logout with the refresh token); false if unknown.
  virtual bool revoke_by_token(std::string_view token_digest, util::Micros now) = 0;
  virtual void revoke_all_for_user(std::string_view user_id, util::Micros now,
                                   std::optional<std::string_view> except_session = std::nullopt) = 0;
  virtual void purge_expired(util::Micros now) = 0;
};

}  // namespace st::model
