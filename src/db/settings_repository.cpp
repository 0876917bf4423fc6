#include "db/repositories.hpp"
#include "util/time.hpp"

namespace st::db {

namespace {

class SqlSettingsRepository final : public model::SettingsRepository {
 public:
  explicit SqlSettingsRepository(Pool& pool) : pool_(pool) {}

  std::optional<std::string> get(std::string_view key) override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT value FROM instance_settings WHERE key = ?", {std::string(key)});
    if (rows.empty()) return std::nullopt;
    return rows.rows.front().text(0);
  }

  std::vector<std::pair<std::string, std::string>> all() override {
    auto c = pool_.acquire();
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : c->query("SELECT key, value FROM instance_settings ORDER BY key").rows)
      out.emplace_back(r.text(0), r.text(1));
    return out;
  }

  void put(std::string_view key, std::string_view value) override {
    auto c = pool_.acquire();
    c->query(
        "INSERT INTO instance_settings (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        {std::string(key), std::string(value), util::now_micros()});
  }

  std::string put_if_absent(std::string_view key, std::string_view value) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO instance_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
             {std::string(key), std::string(value), util::now_micros()});
    return c->query("SELECT value FROM instance_settings WHERE key = ?", {std::string(key)}).rows.at(0).text(0);
  }

  void erase(std::string_view key) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM instance_settings WHERE key = ?", {std::string(key)});
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::SettingsRepository> make_settings_repository(Pool& pool) {
  return std::make_unique<SqlSettingsRepository>(pool);
}

}  // namespace st::db
