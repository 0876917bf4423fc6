// Installed themes, for both engines.
#include "db/theme_repository.hpp"

#include <string>

namespace st::db {

namespace {

constexpr const char* kColumns =
    "id, name, version, description, author, license, homepage, git_url, css_path, assets_path, status, "
    "installed_at, updated_at, installed_by";

model::Theme read(const Row& r) {
  model::Theme t;
  t.id = r.text(0);
  t.name = r.text(1);
  t.version = r.text(2);
  t.description = r.opt_text(3);
  t.author = r.opt_text(4);
  t.license = r.opt_text(5);
  t.homepage = r.opt_text(6);
  t.git_url = r.text(7);
  t.css_path = r.text(8);
  t.assets_path = r.opt_text(9);
  t.status = r.text(10);
  t.installed_at = r.integer(11);
  t.updated_at = r.integer(12);
  t.installed_by = r.opt_text(13);
  return t;
}

class SqlThemeRepository final : public model::ThemeRepository {
 public:
  explicit SqlThemeRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::Theme> list() override {
    auto c = pool_.acquire();
    std::vector<model::Theme> out;
    for (const auto& r : c->query(std::string("SELECT ") + kColumns + " FROM themes ORDER BY name", {}).rows)
      out.push_back(read(r));
    return out;
  }

  std::optional<model::Theme> find(std::string_view id) override {
    return one(std::string("SELECT ") + kColumns + " FROM themes WHERE id = ?", std::string(id));
  }
  std::optional<model::Theme> find_by_name(std::string_view name) override {
    return one(std::string("SELECT ") + kColumns + " FROM themes WHERE name = ?", std::string(name));
  }
  std::optional<model::Theme> active() override {
    return one(std::string("SELECT ") + kColumns + " FROM themes WHERE status = ?", std::string("enabled"));
  }

  bool insert(const model::Theme& t) override {
    auto c = pool_.acquire();
    return c->query("INSERT INTO themes (id, name, version, description, author, license, homepage, git_url, css_path, "
                    "assets_path, status, installed_at, updated_at, installed_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    {t.id, t.name, t.version, opt(t.description), opt(t.author), opt(t.license), opt(t.homepage),
                     t.git_url, t.css_path, opt(t.assets_path), t.status, t.installed_at, t.updated_at,
                     opt(t.installed_by)})
               .affected > 0;
  }

  bool update(const model::Theme& t) override {
    auto c = pool_.acquire();
    return c->query("UPDATE themes SET version = ?, description = ?, author = ?, license = ?, homepage = ?, "
                    "git_url = ?, css_path = ?, assets_path = ?, updated_at = ? WHERE id = ?",
                    {t.version, opt(t.description), opt(t.author), opt(t.license), opt(t.homepage), t.git_url,
                     t.css_path, opt(t.assets_path), t.updated_at, t.id})
               .affected > 0;
  }

  bool enable(std::string_view id) override {
    return transaction(pool_, [&](Connection& c) {
      if (c.query("SELECT id FROM themes WHERE id = ?", {std::string(id)}).rows.empty()) return false;
      c.query("UPDATE themes SET status = 'disabled' WHERE status = 'enabled' AND id <> ?", {std::string(id)});
      c.query("UPDATE themes SET status = 'enabled' WHERE id = ?", {std::string(id)});
      return true;
    });
  }

  bool disable(std::string_view id) override {
    auto c = pool_.acquire();
    return c->query("UPDATE themes SET status = 'disabled' WHERE id = ?", {std::string(id)}).affected > 0;
  }

  bool remove(std::string_view id) override {
    auto c = pool_.acquire();
    return c->query("DELETE FROM themes WHERE id = ?", {std::string(id)}).affected > 0;
  }

 private:
  std::optional<model::Theme> one(const std::string& sql, const std::string& arg) {
    auto c = pool_.acquire();
    auto rows = c->query(sql, {arg}).rows;
    if (rows.empty()) return std::nullopt;
    return read(rows.front());
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::ThemeRepository> make_theme_repository(Pool& pool) {
  return std::make_unique<SqlThemeRepository>(pool);
}

}  // namespace st::db
