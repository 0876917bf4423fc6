#include "db/sql.hpp"

#include <charconv>
#include <stdexcept>

#include "model/errors.hpp"

namespace st::db {

Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt(const std::optional<int>& v) { return v ? Value(static_cast<std::int64_t>(*v)) : Value(nullptr); }
Value opt(const std::optional<double>& v) { return v ? Value(*v) : Value(nullptr); }

const std::string& Row::text(std::size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) throw model::StorageError("unexpected NULL in column " + std::to_string(i));
  return *c;
}

std::int64_t Row::integer(std::size_t i) const {
  const std::string& s = text(i);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{}) throw model::StorageError("not an integer in column " + std::to_string(i));
  return v;
}

std::optional<std::int64_t> Row::opt_integer(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

double Row::real(std::size_t i) const { return std::stod(text(i)); }

std::optional<double> Row::opt_real(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return real(i);
}

std::optional<int> Row::opt_int(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return static_cast<int>(integer(i));
}

bool Row::boolean(std::size_t i) const {
  const std::string& s = text(i);
  return s == "1" || s == "t" || s == "true";
}

std::vector<std::int64_t> Connection::query_integers(std::string_view sql, const std::vector<Value>& params) {
  std::vector<std::int64_t> out;
  for (const auto& r : query(sql, params).rows)
    for (std::size_t i = 0; r.has(i); ++i) out.push_back(r.opt_integer(i).value_or(0));
  return out;
}

void throw_database_full() {
  throw model::DomainError(model::ErrorKind::insufficient_storage,
                           "The database's disk is full: nothing was changed; free some space, then try again");
}

}  // namespace st::db
