#include "db/repositories.hpp"

namespace st::db {

namespace {

constexpr const char* kSelect =
    "SELECT id, user_id, name, secret_box, lookup_digest, created_at, last_used_at FROM app_passwords";

model::AppPassword read(const Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.integer(5), r.opt_integer(6)};
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
