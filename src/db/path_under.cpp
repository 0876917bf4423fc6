#include "db/path_under.hpp"

namespace st::db {

std::string path_under(Dialect d, const std::string& column, const std::string& prefix, std::vector<Value>& params) {
  std::string sql;
  auto upper = prefix;
  if (d == Dialect::sqlite) {
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  } else if (!upper.empty() && static_cast<unsigned char>(upper.back()) >= 0x7f) {
    upper.clear();  // PostgreSQL takes only valid UTF-8: an incremented last byte of a multibyte character is not
  }
  if (!upper.empty()) {
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    // PostgreSQL: in byte order ("C"), which migration 0034's index has, whatever the database's collation.
    auto col = d == Dialect::sqlite ? column : column + " COLLATE \"C\"";
    sql = col + " >= ? AND " + col + " < ? AND ";
    params.push_back(prefix);
    params.push_back(upper);
  }
  return sql + path_starts(column, prefix, params);
}

std::string path_starts(const std::string& column, const std::string& prefix, std::vector<Value>& params) {
  params.push_back(prefix);
  params.push_back(prefix);
  return "substr(" + column + ", 1, length(CAST(? AS TEXT))) = ?";
}

}  // namespace st::db
