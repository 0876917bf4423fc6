#include "db/sqlite_backend.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <map>

#include "lib/sqlite/database.hpp"
#include "lib/sqlite/error.hpp"
#include "lib/sqlite/search_rank.hpp"
#include "lib/sqlite/statement.hpp"
#include "model/errors.hpp"

namespace st::db {

namespace {

// Resets a cached statement when the scope ends, whatever happened (its locks and bindings go).
struct ResetOnExit {
  lib::sqlite::Statement& s;
  ~ResetOnExit() { s.reset(); }
};

// Page cache sizes in KiB (negative: SQLite's unit for KiB): what every connection keeps, and what one large
// write transaction may use until it ends (BulkWrite).
constexpr const char* kCacheSize = "PRAGMA cache_size=-65536;";
constexpr const char* kBulkCacheSize = "PRAGMA cache_size=-262144;";

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, std::shared_ptr<WalCheckpointer> checkpointer) : db_(path) {
    db_.busy_timeout(10'000);
    db_.exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
    if (checkpointer) {
      // Commits hand the checkpoint to its thread (db/wal_checkpointer.hpp); a log that grew long while it
      // could not keep up is cut back to 64 MiB once copied rather than kept at its largest.
      db_.exec("PRAGMA journal_size_limit=67108864;");
      db_.on_wal_commit([this, checkpointer = std::move(checkpointer)](int pages) {
        if (!checkpointer->note_commit(pages)) return;
        try {
          db_.checkpoint_passive();
        } catch (...) {  // as SQLite's own: a failed checkpoint does not fail the commit
        }
      });
    }
    // A page cache of up to 64 MiB (default 2 MiB): big write transactions (a catalogue pull applies
    // thousands of tracks at once) then stay in memory until they commit instead of spilling to the WAL.
    db_.exec(kCacheSize);
    // Statement journals (every INSERT under a trigger or a foreign key keeps the original of each page it
    // changes, in case it must be undone alone) and temporary sorts stay in memory: in a temporary file they
    // cost a write(2) per page, 7 per track applied in a catalogue pull. Both are freed when the statement ends.
    db_.exec("PRAGMA temp_store=MEMORY;");
    lib::sqlite::register_search_rank(db_);
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  void bulk_write(bool on) noexcept override {
    try {
      db_.exec(on ? kBulkCacheSize : kCacheSize);  // back to the smaller size: the excess pages are freed
    } catch (...) {  // a cache size is never refused; nothing to undo
    }
  }

  Rows query(std::string_view sql, const std::vector<Value>& params) override {
    try {
      auto& st = prepared(sql, params);
      ResetOnExit guard{st};
      Rows out;
      while (st.step()) {
        std::vector<std::optional<std::string>> cells;
        int n = st.column_count();
        cells.reserve(static_cast<std::size_t>(n));
        for (int c = 0; c < n; ++c) {
          auto t = st.column_text(c);
          cells.push_back(t ? std::optional<std::string>(std::string(*t)) : std::nullopt);
        }
        out.rows.emplace_back(std::move(cells));
      }
      out.affected = db_.changes();
      return out;
    } catch (const lib::sqlite::Error& e) {
      rethrow(e);
    }
  }

  std::vector<std::int64_t> query_integers(std::string_view sql, const std::vector<Value>& params) override {
    try {
      auto& st = prepared(sql, params);
      ResetOnExit guard{st};
      std::vector<std::int64_t> out;
      int n = st.column_count();
      while (st.step())
        for (int c = 0; c < n; ++c) out.push_back(st.column_int64(c));
      return out;
    } catch (const lib::sqlite::Error& e) {
      rethrow(e);
    }
  }

  void exec_script(std::string_view sql) override {
    try {
      db_.exec(sql);
    } catch (const lib::sqlite::Error& e) {
      rethrow(e);
    }
  }

  void begin() override { exec_script("BEGIN IMMEDIATE"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() noexcept override {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
  void lock_table(std::string_view) override {}
  bool healthy() const override { return !triggers_off_; }  // (triggers left off: never handed out again)
  // The prepared statements go too: a connection keeps one per distinct statement it ran (hundreds, each
  // its compiled program), prepared again on next use.
  void release_memory() noexcept override {
    cache_.clear();
    db_.release_memory();
  }
  void enable_triggers(bool on) override {
    triggers_off_ = true;  // until known to be on
    db_.enable_triggers(on);
    triggers_off_ = !on;
  }

 private:
  // The cached statement for `sql`, reset and bound to `params`.
  lib::sqlite::Statement& prepared(std::string_view sql, const std::vector<Value>& params) {
    auto& st = statement(sql);
    st.reset();
    if (static_cast<std::size_t>(st.parameter_count()) != params.size())
      throw model::StorageError("parameter count mismatch for: " + std::string(sql));
    for (std::size_t i = 0; i < params.size(); ++i) bind(st, static_cast<int>(i + 1), params[i]);
    return st;
  }

  [[noreturn]] static void rethrow(const lib::sqlite::Error& e) {
    if (e.is_unique_violation()) throw model::UniqueViolation(e.what());
    if (e.is_disk_full()) throw_database_full();
    throw model::StorageError(e.what());
  }

  static void bind(lib::sqlite::Statement& st, int i, const Value& v) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) st.bind_null(i);
          else if constexpr (std::is_same_v<T, std::int64_t>) st.bind_int64(i, x);
          else if constexpr (std::is_same_v<T, double>) st.bind_double(i, x);
          else if constexpr (std::is_same_v<T, bool>) st.bind_int64(i, x ? 1 : 0);
          else st.bind_text(i, x);
        },
        v);
  }

  lib::sqlite::Statement& statement(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return *it->second;
    auto st = std::make_unique<lib::sqlite::Statement>(db_.handle(), sql);
    auto& ref = *st;
    cache_.emplace(std::string(sql), std::move(st));
    return ref;
  }

  lib::sqlite::Database db_;
  bool triggers_off_ = false;
  std::map<std::string, std::unique_ptr<lib::sqlite::Statement>, std::less<>> cache_;
};

}  // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, std::shared_ptr<WalCheckpointer> checkpointer) {
  // SQLite creates a new file 0644 less the umask, and gives its -wal and -shm files the database's mode:
  // creating it first as 0600 keeps accounts and sessions private to the server's user whatever the umask.
  if (is_plain_sqlite_file(path)) {
    if (int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  }
  try {
    return std::make_unique<SqliteConnection>(path, std::move(checkpointer));
  } catch (const lib::sqlite::Error& e) {
    throw model::StorageError(e.what());
  }
}

}  // namespace st::db
