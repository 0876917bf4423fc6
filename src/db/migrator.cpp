#include "db/migrator.hpp"

#include <set>

#include "db/migrations.hpp"
#include "model/errors.hpp"
#include "util/time.hpp"

namespace st::db {

std::vector<std::string> migrate(Pool& pool) {
  const auto& all = pool.dialect() == Dialect::sqlite ? sqlite_migrations() : postgres_migrations();
  auto lease = pool.acquire();
  Connection& c = *lease;
  // Nodes starting at once on one PostgreSQL database must not migrate at once: the lock comes before
  // anything is created (CREATE TABLE IF NOT EXISTS itself races: "pg_type_typname_nsp_index").
  bool pg = c.dialect() == Dialect::postgres;
  if (pg) c.exec_script("SELECT pg_advisory_lock(7310001)");
  struct Unlock {
    Connection& c;
    bool pg;
    ~Unlock() {
      if (pg) {
        try {
          c.exec_script("SELECT pg_advisory_unlock(7310001)");
        } catch (...) {
        }
      }
    }
  } unlock{c, pg};

  c.exec_script("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");

  std::set<std::string> done;
  for (const auto& row : c.query("SELECT name FROM schema_migrations").rows) done.insert(row.text(0));
  std::set<std::string> known;
  for (const auto& m : all) known.insert(std::string(m.name));
  for (const auto& d : done)
    if (!known.count(d))
      throw model::StorageError("the database has migration " + d +
                                " which this build does not know: it was used by a newer SoundTime");

  std::vector<std::string> applied;
  for (const auto& m : all) {
    std::string name(m.name);
    if (done.count(name)) continue;
    c.begin();
    try {
      c.exec_script(m.sql);
      c.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", {name, util::now_micros()});
      c.commit();
    } catch (const std::exception& e) {
      c.rollback();
      throw model::StorageError("migration " + name + " failed: " + e.what());
    }
    applied.push_back(name);
  }
  return applied;
}

}  // namespace st::db
