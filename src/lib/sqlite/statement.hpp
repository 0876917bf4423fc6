#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace st::lib::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement() noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  int parameter_count() const noexcept;
  void bind_null(int index);  // 1-based, as SQLite
  void bind_int64(int index, std::int64_t v);
  void bind_double(int index, double v);
  void bind_text(int index, std::string_view v);

  // Advances; true while a row is available. Throws Error on failure.
  bool step();
  void reset() noexcept;  // also clears bindings

  int column_count() const noexcept;
  std::optional<std::string_view> column_text(int i) const noexcept;  // nothing for NULL
  std::int64_t column_int64(int i) const noexcept;                    // 0 for NULL

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace st::lib::sqlite
