#pragma once
#include <optional>
#include <string_view>

struct pg_result;

namespace st::lib::pq {

class Result {
 public:
  explicit Result(pg_result* r) noexcept : r_(r) {}
  ~Result() noexcept;
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result& operator=(Result&& o) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const noexcept;
  int columns() const noexcept;
  std::optional<std::string_view> value(int row, int col) const noexcept;
  long long affected() const noexcept;
  pg_result* get() const noexcept { return r_; }

 private:
  pg_result* r_;
};

}  // namespace st::lib::pq
