#include <fmt/format.h>

#include <string_view>

#include "db/repositories.hpp"
#include "db/user_columns.hpp"

namespace st::db {

namespace {

constexpr const char* kSelect =
    "SELECT id, user_id, name, secret_box, lookup_digest, created_at, last_used_at FROM app_passwords";

// The app password in the row's cells from `at` on (kSelect's columns).
model::AppPassword read(const Row& r, std::size_t at = 0) {
  return {r.text(at),     r.text(at + 1),    r.text(at + 2),       r.text(at + 3),
          r.text(at + 4), r.integer(at + 5), r.opt_integer(at + 6)};
}

class SqlAppPasswordRepository final : public model::AppPasswordRepository {
 public:
  explicit SqlAppPasswordRepository(Pool& pool) : pool_(pool) {}

  void create(const model::AppPassword& p) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO app_passwords (id, user_id, name, secret_box, lookup_digest, created_at) "
             "VALUES (?, ?, ?, ?, ?, ?)",
             {p.id, p.user_id, p.name, p.secret_box, p.lookup_digest, p.created_at});
  }

  std::vector<model::AppPassword> list_by_user(std::string_view user_id) override {
    auto c = pool_.acquire();
    std::vector<model::AppPassword> out;
    for (const auto& r :
         c->query(std::string(kSelect) + " WHERE user_id = ? ORDER BY created_at, id", {std::string(user_id)}).rows)
      out.push_back(read(r));
    return out;
  }

  std::optional<model::AppPassword> find_by_digest(std::string_view digest) override {
    auto c = pool_.acquire();
    auto rows = c->query(std::string(kSelect) + " WHERE lookup_digest = ?", {std::string(digest)});
    if (rows.empty()) return std::nullopt;
    return read(rows.rows.front());
  }

  std::optional<model::AccountLogin> find_login(std::string_view username,
                                               std::optional<std::string> lookup_digest) override {
    auto c = pool_.acquire();
    const char* only_it = lookup_digest ? " AND a.lookup_digest = ?" : "";
    std::vector<Value> params;
    if (lookup_digest) params.emplace_back(std::move(*lookup_digest));
    params.emplace_back(std::string(username));
    auto rows = c->query(fmt::format("SELECT {}, a.id, a.user_id, a.name, a.secret_box, a.lookup_digest, a.created_at, "
                                     "a.last_used_at FROM users u LEFT JOIN app_passwords a ON a.user_id = u.id{} "
                                     "WHERE lower(u.username) = lower(?) ORDER BY a.created_at, a.id",
                                     kUserColumns, only_it),
                         params);
    if (rows.empty()) return std::nullopt;
    model::AccountLogin login{read_user(rows.rows.front()), {}};
    for (const auto& r : rows.rows)
      if (!r.is_null(kUserColumnCount)) login.app_passwords.push_back(read(r, kUserColumnCount));  // (LEFT JOIN)
    return login;
  }

  bool remove(std::string_view user_id, std::string_view id) override {
    auto c = pool_.acquire();
    return c->query("DELETE FROM app_passwords WHERE id = ? AND user_id = ?", {std::string(id), std::string(user_id)})
               .affected > 0;
  }

  void touch(std::string_view id, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE app_passwords SET last_used_at = ? WHERE id = ?", {now, std::string(id)});
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::AppPasswordRepository> make_app_password_repository(Pool& pool) {
  return std::make_unique<SqlAppPasswordRepository>(pool);
}

}  // namespace st::db
