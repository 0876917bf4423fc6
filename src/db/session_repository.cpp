#include <fmt/format.h>

#include "db/repositories.hpp"
#include "db/user_columns.hpp"

namespace st::db {

namespace {

class SqlSessionRepository final : public model::SessionRepository {
 public:
  explicit SqlSessionRepository(Pool& pool) : pool_(pool) {}

  void create(const model::Session& s, std::string_view digest, util::Micros token_expires_at) override {
    transaction(pool_, [&](Connection& c) {
      c.query(
          "INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, expires_at, user_agent, ip) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)",
          {s.id, s.user_id, s.created_at, s.created_at, s.expires_at, s.user_agent, s.ip});
      c.query("INSERT INTO refresh_tokens (token_digest, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
              {std::string(digest), s.id, s.created_at, token_expires_at});
    });
  }

  model::RotateResult rotate(std::string_view old_digest, std::string_view new_digest, util::Micros now,
                             util::Micros new_expires) override {
    return transaction(pool_, [&](Connection& c) {
      model::RotateResult r;
      auto rows = c.query(
          "SELECT t.session_id, t.expires_at, t.used_at, s.user_id, s.expires_at, s.revoked_at "
          "FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id WHERE t.token_digest = ?",
          {std::string(old_digest)});
      if (rows.empty()) return r;
      const Row& row = rows.rows.front();
      r.session_id = row.text(0);
      r.user_id = row.text(3);
      if (!row.is_null(5) || row.integer(4) <= now || row.integer(1) <= now) {
        r.status = model::RotateStatus::session_ended;
        return r;
      }
      // The conditional update makes concurrent refreshes with one token race safely: one wins, the
      // other sees a used token and is treated as reuse.
      auto upd = c.query("UPDATE refresh_tokens SET used_at = ? WHERE token_digest = ? AND used_at IS NULL",
                         {now, std::string(old_digest)});
      if (!row.is_null(2) || upd.affected != 1) {
        c.query("UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", {now, r.session_id});
        r.status = model::RotateStatus::reused_token;
        return r;
      }
      c.query("INSERT INTO refresh_tokens (token_digest, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
              {std::string(new_digest), r.session_id, now, std::min(new_expires, row.integer(4))});
      c.query("UPDATE auth_sessions SET last_used_at = ? WHERE id = ?", {now, r.session_id});
      r.status = model::RotateStatus::rotated;
      return r;
    });
  }

  std::optional<model::User> find_live_user(std::string_view session_id, std::string_view user_id,
                                            util::Micros now) override {
    auto c = pool_.acquire();
    auto rows = c->query(fmt::format("SELECT {} FROM auth_sessions s JOIN users u ON u.id = s.user_id "
                                     "WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
                                     kUserColumns),
                         {std::string(session_id), std::string(user_id), now});
    if (rows.empty()) return std::nullopt;
    return read_user(rows.rows.front());
  }

  void revoke(std::string_view session_id, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
             {now, std::string(session_id)});
  }

  bool revoke_by_token(std::string_view digest, util::Micros now) override {
    auto c = pool_.acquire();
    auto r = c->query(
        "UPDATE auth_sessions SET revoked_at = ? WHERE revoked_at IS NULL AND id = "
        "(SELECT session_id FROM refresh_tokens WHERE token_digest = ?)",
        {now, std::string(digest)});
    return r.affected > 0;
  }

  void revoke_all_for_user(std::string_view user_id, util::Micros now,
                           std::optional<std::string_view> except) override {
    auto c = pool_.acquire();
    if (except)
      c->query("UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
               {now, std::string(user_id), std::string(*except)});
    else
      c->query("UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
               {now, std::string(user_id)});
  }

  void purge_expired(util::Micros now) override {
    // Revoked sessions are kept a day so that reuse of their tokens is still recognised as reuse.
    auto c = pool_.acquire();
    c->query("DELETE FROM auth_sessions WHERE expires_at <= ? OR (revoked_at IS NOT NULL AND revoked_at <= ?)",
             {now, now - 86'400'000'000LL});
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::SessionRepository> make_session_repository(Pool& pool) {
  return std::make_unique<SqlSessionRepository>(pool);
}

}  // namespace st::db
