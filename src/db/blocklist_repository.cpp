#include "db/repositories.hpp"

namespace st::db {

namespace {

class SqlBlocklistRepository final : public model::BlocklistRepository {
 public:
  explicit SqlBlocklistRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::BlockedDomain> list() override {
    auto c = pool_.acquire();
    std::vector<model::BlockedDomain> out;
    for (const auto& r :
         c->query("SELECT id, domain, reason, created_at FROM blocked_domains ORDER BY created_at DESC, domain").rows)
      out.push_back({r.text(0), r.text(1), r.opt_text(2), r.integer(3)});
    return out;
  }

  bool add(const model::BlockedDomain& b, std::optional<std::string> by) override {
    auto c = pool_.acquire();
    return c->query("INSERT INTO blocked_domains (id, domain, reason, blocked_by, created_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (domain) DO NOTHING",
                    {b.id, b.domain, opt(b.reason), opt(by), b.created_at})
               .affected > 0;
  }

  bool remove(std::string_view id) override {
    auto c = pool_.acquire();
    return c->query("DELETE FROM blocked_domains WHERE id = ?", {std::string(id)}).affected > 0;
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::BlocklistRepository> make_blocklist_repository(Pool& pool) {
  return std::make_unique<SqlBlocklistRepository>(pool);
}

}  // namespace st::db
