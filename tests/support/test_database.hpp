#pragma once
// A fresh, migrated database for one test, on SQLite (a temp file) or on the PostgreSQL cluster that
// `make test` starts (SOUNDTIME_TEST_PG_URL); each PostgreSQL test gets its own database, dropped after.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "db/migrator.hpp"
#include "db/open.hpp"
#include "db/postgres_backend.hpp"
#include "util/random.hpp"

namespace st::test {

class TestDatabase {
 public:
  explicit TestDatabase(const std::string& engine) : engine_(engine) {}
  ~TestDatabase() { drop(); }

  // Returns false (after GTEST_SKIP or a failure) when the engine is not available.
  bool open() {
    if (engine_ == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("st-test-" + util::random_hex(6));
      std::filesystem::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "test.db").string();
    } else {
      const char* admin = std::getenv("SOUNDTIME_TEST_PG_URL");
      if (!admin || !*admin) {
        if (std::getenv("SOUNDTIME_REQUIRE_PG")) ADD_FAILURE() << "SOUNDTIME_TEST_PG_URL is not set";
        return false;
      }
      admin_url_ = admin;
      name_ = "st_test_" + util::random_hex(6);
      db::open_postgres(admin_url_)->exec_script("CREATE DATABASE " + name_);
      url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
    }
    pool_ = db::open_pool(db::DatabaseConfig{url_, 4});
    db::migrate(*pool_);
    return true;
  }

  db::Pool& pool() { return *pool_; }
  const std::string& url() const { return url_; }

 private:
  void drop() {
    pool_.reset();
    if (!name_.empty()) {
      try {
        db::open_postgres(admin_url_)->exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
      } catch (...) {
      }
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string engine_;
  std::string url_;
  std::string admin_url_;
  std::string name_;
  std::filesystem::path dir_;
  std::unique_ptr<db::Pool> pool_;
};

// For INSTANTIATE_TEST_SUITE_P over both engines.
inline const auto kEngines = ::testing::Values(std::string("sqlite"), std::string("postgres"));

}  // namespace st::test

#define ST_OPEN_TEST_DATABASE(db)                                                      \
  do {                                                                                 \
    if (!(db).open()) GTEST_SKIP() << "PostgreSQL not available (set SOUNDTIME_TEST_PG_URL)"; \
  } while (0)
