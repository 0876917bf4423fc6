#include "db/postgres_backend.hpp"

#include <fmt/format.h>

#include <map>

#include "lib/pq/connection.hpp"
#include "model/database_unavailable.hpp"
#include "model/errors.hpp"

namespace st::db {

std::string to_postgres_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      out.push_back(c);
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      auto end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size();
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == '?') {
      out += fmt::format("${}", ++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(const std::string& conninfo) : conn_(conninfo) {
    conn_.exec("SET client_min_messages TO warning");
    // No parallel workers for our queries: each answers one page or one count, and a worker's start costs
    // more than the query (getAlbumList2 by artist near the end of a million tracks' alphabet: a parallel
    // plan took 33 ms where the plain one takes 2-4 ms); a self-hosted node has few cores to share anyway.
    conn_.exec("SET max_parallel_workers_per_gather TO 0");
    // Nor JIT compilation: it starts above a plan cost that a lookup of a page's 20,000 hashes passes, and
    // compiling took 10-25 ms of a 120 ms statement; our statements are short and many.
    conn_.exec("SET jit TO off");
  }

  Dialect dialect() const override { return Dialect::postgres; }

  Rows query(std::string_view sql, const std::vector<Value>& params) override {
    try {
      const std::string& name = prepared(sql);
      std::vector<std::optional<std::string>> text;
      text.reserve(params.size());
      for (const auto& v : params) text.push_back(to_text(v));
      auto r = conn_.exec_prepared(name, text);
      Rows out;
      out.affected = r.affected();
      int cols = r.columns();
      for (int row = 0; row < r.rows(); ++row) {
        std::vector<std::optional<std::string>> cells;
        cells.reserve(static_cast<std::size_t>(cols));
        for (int c = 0; c < cols; ++c) {
          auto v = r.value(row, c);
          cells.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
        }
        out.rows.emplace_back(std::move(cells));
      }
      return out;
    } catch (const lib::pq::Error& e) {
      rethrow(e);
    }
  }

  void exec_script(std::string_view sql) override {
    try {
      conn_.exec(sql);
    } catch (const lib::pq::Error& e) {
      rethrow(e);
    }
  }

  void begin() override { exec_script("BEGIN"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() noexcept override {
    try {
      conn_.exec("ROLLBACK");
    } catch (...) {
    }
  }
  void lock_table(std::string_view table) override {
    exec_script(fmt::format("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", table));
  }
  bool healthy() const override { return conn_.is_ok(); }

 private:
  [[noreturn]] void rethrow(const lib::pq::Error& e) const {
    if (e.is_unique_violation()) throw model::UniqueViolation(e.what());
    if (e.is_disk_full()) throw_database_full();
    // The connection itself is gone (server restarted or unreachable): not this request's fault.
    if (!conn_.is_ok()) throw model::DatabaseUnavailable(e.what(), 1);
    throw model::StorageError(e.what());
  }

  static std::optional<std::string> to_text(const Value& v) {
    return std::visit(
        [](const auto& x) -> std::optional<std::string> {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) return std::nullopt;
          else if constexpr (std::is_same_v<T, bool>) return std::string(x ? "true" : "false");
          else if constexpr (std::is_same_v<T, std::string>) return x;
          else return fmt::format("{}", x);
        },
        v);
  }

  const std::string& prepared(std::string_view sql) {
    auto it = names_.find(sql);
    if (it != names_.end()) return it->second;
    std::string name = fmt::format("st{}", names_.size() + 1);
    conn_.prepare(name, to_postgres_placeholders(sql));
    return names_.emplace(std::string(sql), std::move(name)).first->second;
  }

  lib::pq::Connection conn_;
  std::map<std::string, std::string, std::less<>> names_;
};

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& conninfo) {
  try {
    return std::make_unique<PostgresConnection>(conninfo);
  } catch (const lib::pq::Error& e) {
    throw model::DatabaseUnavailable(e.what(), 1);
  }
}

}  // namespace st::db
