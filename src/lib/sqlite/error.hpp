#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace st::lib::sqlite {

class Error : public std::runtime_error {
 public:
  Error(int code, int extended_code, std::string message)
      : std::runtime_error(std::move(message)), code_(code), extended_(extended_code) {}
  int code() const noexcept { return code_; }
  int extended_code() const noexcept { return extended_; }
  bool is_unique_violation() const noexcept;
  bool is_disk_full() const noexcept;

 private:
  int code_;
  int extended_;
};

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view context);

}  // namespace st::lib::sqlite
