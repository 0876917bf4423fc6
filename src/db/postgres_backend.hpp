#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "db/sql.hpp"

namespace st::db {

std::unique_ptr<Connection> open_postgres(const std::string& conninfo);

// `?` placeholders to `$1..$n`, leaving quoted strings, identifiers and comments alone.
std::string to_postgres_placeholders(std::string_view sql);

}  // namespace st::db
