#include "db/path_under.hpp"

namespace st::db {

std::string path_under(Dialect d, const std::string& column, const std::string& prefix, std::vector<Value>& params) {
  std::string sql;
  if (d == Dialect::sqlite && !prefix.empty()) {
    auto upper = prefix;
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
    if (!upper.empty()) {
      upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
      sql = column + " >= ? AND " + column + " < ? AND ";
      params.push_back(prefix);
      params.push_back(upper);
    }
  }
  params.push_back(prefix);
  params.push_back(prefix);
  return sql + "substr(" + column + ", 1, length(CAST(? AS TEXT))) = ?";
}

}  // namespace st::db
