#include "lib/pq/result.hpp"

#include <libpq-fe.h>

#include <cstdlib>

namespace st::lib::pq {

Result::~Result() noexcept { PQclear(r_); }

Result& Result::operator=(Result&& o) noexcept {
  if (this != &o) {
    PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

int Result::rows() const noexcept { return PQntuples(r_); }
int Result::columns() const noexcept { return PQnfields(r_); }

std::optional<std::string_view> Result::value(int row, int col) const noexcept {
  if (PQgetisnull(r_, row, col)) return std::nullopt;
  return std::string_view(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

long long Result::affected() const noexcept {
  const char* n = PQcmdTuples(r_);
  return (n && *n) ? std::atoll(n) : 0;
}

}  // namespace st::lib::pq
