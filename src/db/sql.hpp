#pragma once
// The engine-neutral SQL surface the repositories are written against, once for both engines.
// Statements use `?` placeholders (rewritten to $n for PostgreSQL); every value is bound, never spliced.
// Types are chosen to read the same on both engines: ids as text (uuid in PostgreSQL), timestamps as
// BIGINT microseconds, booleans as BOOLEAN/INTEGER read through Row::boolean.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace st::db {

using Value = std::variant<std::nullptr_t, std::int64_t, double, bool, std::string>;

Value opt(const std::optional<std::string>& v);
Value opt(const std::optional<std::int64_t>& v);
Value opt(const std::optional<int>& v);
Value opt(const std::optional<double>& v);

class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  bool has(std::size_t i) const { return i < cells_.size(); }
  bool is_null(std::size_t i) const { return !cells_.at(i).has_value(); }
  const std::string& text(std::size_t i) const;  // throws on NULL
  std::optional<std::string> opt_text(std::size_t i) const { return cells_.at(i); }
  std::int64_t integer(std::size_t i) const;
  std::optional<std::int64_t> opt_integer(std::size_t i) const;
  double real(std::size_t i) const;
  std::optional<double> opt_real(std::size_t i) const;
  std::optional<int> opt_int(std::size_t i) const;
  bool boolean(std::size_t i) const;  // accepts 1/0 (SQLite) and t/f (PostgreSQL)

 private:
  std::vector<std::optional<std::string>> cells_;
};

struct Rows {
  std::vector<Row> rows;
  long long affected = 0;
  bool empty() const { return rows.empty(); }
};

enum class Dialect { sqlite, postgres };

// A write refused because the database's disk is full (either engine): the statement failed and its
// transaction rolls back, so nothing changed; 507 to the client, and the same request works once space
// is freed.
[[noreturn]] void throw_database_full();

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual Rows query(std::string_view sql, const std::vector<Value>& params) = 0;
  // Every cell of every row as an integer (NULL as 0), row after row: for large results of numbers, without
  // a string per cell.
  virtual std::vector<std::int64_t> query_integers(std::string_view sql, const std::vector<Value>& params);
  // Parameterless script, for migrations.
  virtual void exec_script(std::string_view sql) = 0;
  // Starts a transaction that will write (SQLite takes the write lock at once to avoid upgrade deadlocks).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Serialises writers of one table for the rest of the transaction (no-op on SQLite, which has one writer).
  virtual void lock_table(std::string_view table) = 0;
  // False once the connection is unusable; the pool then replaces it.
  virtual bool healthy() const = 0;
  // Gives back what the connection keeps in memory between statements (SQLite's page cache and prepared
  // statements); the next statements read from the file and are prepared again. Called on idle connections only.
  virtual void release_memory() noexcept {}
  // A large write transaction starts (on) or has ended (off): SQLite keeps up to 256 MiB of pages for it
  // instead of 64, then shrinks back (db/sql.hpp: BulkWrite).
  virtual void bulk_write(bool /*on*/) noexcept {}
  // SQLite: turns this connection's triggers off (false) or on, for a bulk insert that does their work per
  // batch (catalog_repository.cpp, insert_all_on). Nothing on PostgreSQL, whose triggers always run.
  virtual void enable_triggers(bool /*on*/) {}

  Rows query(std::string_view sql) { return query(sql, {}); }
};

// For the length of one large write (thousands of rows whose index keys land all over the indexes: a page of
// a catalogue pull, a bulk import): its dirty pages and the index pages it revisits stay in SQLite's cache
// instead of spilling to the WAL before the commit and being read again from the OS (at 500,000 tracks the
// indexes outgrow 64 MiB). Nothing on PostgreSQL.
class BulkWrite {
 public:
  BulkWrite(Connection& c, std::size_t rows) : c_(rows >= kRows ? &c : nullptr) {
    if (c_) c_->bulk_write(true);
  }
  ~BulkWrite() {
    if (c_) c_->bulk_write(false);
  }
  BulkWrite(const BulkWrite&) = delete;
  BulkWrite& operator=(const BulkWrite&) = delete;
  static constexpr std::size_t kRows = 500;  // a page of a catalogue pull (20,000), an import's batch (512)

 private:
  Connection* c_;
};

}  // namespace st::db
