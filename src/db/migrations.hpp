#pragma once
#include <string_view>
#include <vector>

namespace st::db {

struct Migration {
  std::string_view name;  // file name without .sql: NNNN_description; applied in this order
  std::string_view sql;
};

const std::vector<Migration>& sqlite_migrations();
const std::vector<Migration>& postgres_migrations();

}  // namespace st::db
