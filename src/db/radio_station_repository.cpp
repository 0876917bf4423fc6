#include "db/repositories.hpp"

namespace st::db {

namespace {

constexpr const char* kSelect = "SELECT id, name, stream_url, homepage_url, created_at FROM radio_stations";

model::RadioStation read(const Row& r) { return {r.text(0), r.text(1), r.text(2), r.opt_text(3), r.integer(4)}; }

class SqlRadioStationRepository final : public model::RadioStationRepository {
 public:
  explicit SqlRadioStationRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::RadioStation> list() override {
    auto c = pool_.acquire();
    std::vector<model::RadioStation> out;
    for (const auto& r : c->query(std::string(kSelect) + " ORDER BY lower(name), id").rows) out.push_back(read(r));
    return out;
  }

  std::optional<model::RadioStation> find(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query(std::string(kSelect) + " WHERE id = ?", {std::string(id)});
    if (rows.empty()) return std::nullopt;
    return read(rows.rows.front());
  }

  void create(const model::RadioStation& s) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO radio_stations (id, name, stream_url, homepage_url, created_at) VALUES (?, ?, ?, ?, ?)",
             {s.id, s.name, s.stream_url, opt(s.homepage_url), s.created_at});
  }

  void update(const model::RadioStation& s) override {
    auto c = pool_.acquire();
    c->query("UPDATE radio_stations SET name = ?, stream_url = ?, homepage_url = ? WHERE id = ?",
             {s.name, s.stream_url, opt(s.homepage_url), s.id});
  }

  void remove(std::string_view id) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM radio_stations WHERE id = ?", {std::string(id)});
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::RadioStationRepository> make_radio_station_repository(Pool& pool) {
  return std::make_unique<SqlRadioStationRepository>(pool);
}

}  // namespace st::db
