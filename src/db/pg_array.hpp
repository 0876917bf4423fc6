#pragma once
// PostgreSQL array values: many values bound as one parameter (`CAST(? AS text[])` in the statement), so that
// a statement's text and plan do not depend on how many values it takes. Each element is quoted: a value is
// data, whatever characters it holds.
#include <string>
#include <string_view>

namespace st::db {

template <class Range>
std::string pg_array(const Range& values) {
  std::string array = "{";
  bool first = true;
  for (const auto& value : values) {
    array += first ? "\"" : ",\"";
    first = false;
    for (char ch : std::string_view(value)) {
      if (ch == '"' || ch == '\\') array += '\\';
      array += ch;
    }
    array += '"';
  }
  array += '}';
  return array;
}

}  // namespace st::db
