#pragma once
// Inserting many rows with few statements: each statement takes 2^k rows (at most kMaxRows), so that a
// connection prepares a handful of statement shapes, and a table's statement-level triggers (PostgreSQL,
// migration 0032) run once a statement rather than once a row.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

inline constexpr std::size_t kMaxRowsPerInsert = 256;

// head: "INSERT INTO t (a, b, c) VALUES "; tail: what follows the rows (" ON CONFLICT ... DO NOTHING" or "");
// append(i, values) appends row i's `columns` values. Parameters stay within both engines' limits while
// columns * kMaxRowsPerInsert does (30 columns: 7,680).
template <class Append>
void insert_rows(Connection& c, std::string_view head, std::size_t columns, std::size_t count, Append&& append,
                 std::string_view tail = {}) {
  std::string row = "(";
  for (std::size_t i = 0; i < columns; ++i) row += i ? ", ?" : "?";
  row += ')';
  for (std::size_t at = 0; at < count;) {
    std::size_t rows = kMaxRowsPerInsert;
    while (rows > count - at) rows /= 2;
    std::vector<Value> values;
    values.reserve(rows * columns);
    std::string sql(head);
    sql.reserve(head.size() + rows * (row.size() + 2) + tail.size());
    for (std::size_t i = 0; i < rows; ++i) {
      if (i) sql += ", ";
      sql += row;
      append(at + i, values);
    }
    sql += tail;
    c.query(sql, values);
    at += rows;
  }
}

}  // namespace st::db
