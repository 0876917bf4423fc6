#include <fmt/format.h>

#include "db/repositories.hpp"
#include "db/user_columns.hpp"

namespace st::db {

model::User read_user(const Row& r) {
  model::User u;
  u.id = r.text(0);
  u.username = r.text(1);
  u.email = r.text(2);
  u.password_hash = r.text(3);
  u.display_name = r.opt_text(4);
  u.avatar_url = r.opt_text(5);
  u.role = model::parse_role(r.text(6)).value_or(model::Role::user);
  u.is_banned = r.boolean(7);
  u.ban_reason = r.opt_text(8);
  u.banned_at = r.opt_integer(9);
  u.created_at = r.integer(10);
  u.updated_at = r.integer(11);
  return u;
}

namespace {

// Counts admins who can act: banned admins do not count (admins cannot be banned, but data may say so).
constexpr const char* kActiveAdmins = "SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_banned = FALSE";

class SqlUserRepository final : public model::UserRepository {
 public:
  explicit SqlUserRepository(Pool& pool) : pool_(pool) {}

  std::optional<model::User> find_by_id(std::string_view id) override {
    return one(fmt::format("SELECT {} FROM users u WHERE u.id = ?", kUserColumns), std::string(id));
  }
  std::optional<model::User> find_by_username(std::string_view name) override {
    return one(fmt::format("SELECT {} FROM users u WHERE lower(u.username) = lower(?)", kUserColumns),
               std::string(name));
  }
  std::optional<model::User> find_by_email(std::string_view email) override {
    return one(fmt::format("SELECT {} FROM users u WHERE lower(u.email) = lower(?)", kUserColumns),
               std::string(email));
  }

  std::vector<model::User> list_by_username() override {
    auto c = pool_.acquire();
    std::vector<model::User> out;
    for (const auto& r : c->query(fmt::format("SELECT {} FROM users u ORDER BY u.username", kUserColumns)).rows)
      out.push_back(read_user(r));
    return out;
  }

  std::int64_t count() override {
    auto c = pool_.acquire();
    return c->query("SELECT COUNT(*) FROM users").rows.at(0).integer(0);
  }

  std::int64_t count_active_admins() override {
    auto c = pool_.acquire();
    return c->query(kActiveAdmins).rows.at(0).integer(0);
  }

  bool create(model::User& u, model::CreatePolicy policy) override {
    return transaction(pool_, [&](Connection& c) {
      if (policy != model::CreatePolicy::any) {
        c.lock_table("users");
        bool empty = c.query("SELECT COUNT(*) FROM users").rows.at(0).integer(0) == 0;
        if (policy == model::CreatePolicy::only_if_no_users && !empty) return false;
        if (empty) u.role = model::Role::admin;
      }
      c.query(
          "INSERT INTO users (id, username, email, password_hash, display_name, avatar_url, role, is_banned, "
          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?)",
          {u.id, u.username, u.email, u.password_hash, opt(u.display_name), opt(u.avatar_url),
           std::string(model::to_string(u.role)), u.created_at, u.updated_at});
      return true;
    });
  }

  void update_email(std::string_view id, std::string_view email, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE users SET email = ?, updated_at = ? WHERE id = ?", {std::string(email), now, std::string(id)});
  }

  void update_display_name(std::string_view id, const std::optional<std::string>& name, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?", {opt(name), now, std::string(id)});
  }

  void update_password(std::string_view id, std::string_view hash, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
             {std::string(hash), now, std::string(id)});
  }

  bool update_role_keeping_an_admin(std::string_view id, model::Role role, util::Micros now) override {
    return transaction(pool_, [&](Connection& c) {
      c.lock_table("users");
      c.query("UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
              {std::string(model::to_string(role)), now, std::string(id)});
      if (c.query(kActiveAdmins).rows.at(0).integer(0) == 0) throw LastAdmin{};
      return true;
    }, [] { return false; });
  }

  void set_ban(std::string_view id, bool banned, std::optional<std::string> reason, util::Micros now) override {
    auto c = pool_.acquire();
    if (banned)
      c->query("UPDATE users SET is_banned = TRUE, ban_reason = ?, banned_at = ?, updated_at = ? WHERE id = ?",
               {opt(reason), now, now, std::string(id)});
    else
      c->query("UPDATE users SET is_banned = FALSE, ban_reason = NULL, banned_at = NULL, updated_at = ? WHERE id = ?",
               {now, std::string(id)});
  }

  bool remove_keeping_an_admin(std::string_view id) override {
    return transaction(pool_, [&](Connection& c) {
      c.lock_table("users");
      c.query("DELETE FROM users WHERE id = ?", {std::string(id)});
      // Even the last account may not go: an instance without users reopens its setup wizard to anyone.
      if (c.query(kActiveAdmins).rows.at(0).integer(0) == 0) throw LastAdmin{};
      return true;
    }, [] { return false; });
  }

 private:
  struct LastAdmin {};

  // Runs fn in a transaction; when it throws LastAdmin the transaction is rolled back and fallback() returned.
  template <typename Fn, typename Fallback>
  bool transaction(Pool& pool, Fn&& fn, Fallback&& fallback) {
    try {
      return db::transaction(pool, std::forward<Fn>(fn));
    } catch (const LastAdmin&) {
      return fallback();
    }
  }
  template <typename Fn>
  bool transaction(Pool& pool, Fn&& fn) {
    return db::transaction(pool, std::forward<Fn>(fn));
  }

  std::optional<model::User> one(const std::string& sql, std::string param) {
    auto c = pool_.acquire();
    auto rows = c->query(sql, {std::move(param)});
    if (rows.empty()) return std::nullopt;
    return read_user(rows.rows.front());
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::UserRepository> make_user_repository(Pool& pool) {
  return std::make_unique<SqlUserRepository>(pool);
}

}  // namespace st::db
