#pragma once
#include <memory>
#include <string>

#include "db/pool.hpp"

namespace st::db {

struct DatabaseConfig {
  std::string url;  // sqlite:///abs/path.db, sqlite://relative.db, postgres://... or postgresql://...
  std::size_t pool_size = 8;
};

// Opens the pool for url (creating the SQLite file's folder is the caller's job).
std::unique_ptr<Pool> open_pool(const DatabaseConfig& config);

// True when url names a database engine we support.
bool is_supported_url(const std::string& url);

}  // namespace st::db
