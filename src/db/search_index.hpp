#pragma once
// The catalogue's search texts held in memory: a search::TextIndex each for tracks, albums and artists
// (numbered by rowid on SQLite, by the doc column on PostgreSQL), filled from the tables and kept current
// from search_log (SQLite migration 0025, PostgreSQL 0033), which triggers append to on every insert, change
// of search text and delete. On PostgreSQL several nodes may read one log: a node prunes only entries an hour
// old (shared_log_age) that it applied, and one that finds entries pruned past its position rebuilds.
//
// The first query builds them: in the calling thread for a small catalogue, else on a background thread
// while queries are answered without them (FTS5). Every query first replays what the log holds past the
// last change applied (so a search sees every change committed before it); a backlog too large to replay
// (a bulk import with no search meanwhile) rebuilds in the background instead. The background thread also
// prunes the log of what was applied.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>

#include "db/pool.hpp"
#include "search/text_index.hpp"

namespace st::db {

class SearchIndexes {
 public:
  enum Table : std::size_t { tracks = 0, albums = 1, artists = 2 };
  struct Window {
    std::size_t offset = 0;
    std::size_t limit = 0;  // 0: not wanted
  };
  using Results = std::array<search::TextIndex::Result, 3>;

  // Catalogues of fewer rows than `build_inline_below` (the three tables' largest rowids summed) are built
  // by the first query itself.
  explicit SearchIndexes(Pool& pool, std::size_t build_inline_below = 50'000,
                         std::chrono::milliseconds prune_period = std::chrono::seconds(60),
                         std::chrono::seconds shared_log_age = std::chrono::hours(1));
  ~SearchIndexes();
  SearchIndexes(const SearchIndexes&) = delete;
  SearchIndexes& operator=(const SearchIndexes&) = delete;

  // The rankings of `words` (folded) in each table, current up to the last change committed before the call;
  // none while the indexes are being built, or when they cannot be (rowids past search::TextIndex::kMaxDoc).
  std::optional<Results> query(Connection& c, std::span<const std::string> words, const std::array<Window, 3>& windows);

  bool ready() const;
  // Starts the build on the background thread unless the indexes are built or being built.
  void prepare();
  std::size_t documents() const;
  // Waits until the indexes are ready or cannot be; starts them if nothing did (tests, benches).
  void wait_ready();
  // Rows of search_log not yet pruned (tests).
  std::int64_t log_rows();
  std::size_t memory_bytes() const;

 private:
  enum class State { idle, building, ready, off };

  // Reads the tables into fresh indexes and puts them in place; on a background lease per chunk, or on the
  // caller's connection. False when it could not (state_ then says why).
  bool build(Connection* inline_connection);
  // Replays search_log past applied_; false when the indexes cannot answer now (being rebuilt, or off).
  bool catch_up(Connection& c);
  void loop();  // the background thread: builds on request, prunes the log
  void prune();

  // The log's last sequence number (on PostgreSQL, at least the last one pruned), and the last pruned.
  struct LogPosition {
    std::int64_t latest = 0, pruned = 0;
  };
  LogPosition log_position(Connection& c);

  Pool& pool_;
  bool pg_;
  const char* key_;  // rowid, or doc
  std::size_t build_inline_below_;
  std::chrono::milliseconds prune_period_;
  std::chrono::seconds shared_log_age_;

  mutable std::shared_mutex index_mutex_;  // indexes_
  std::array<search::TextIndex, 3> indexes_;
  std::atomic<std::int64_t> applied_{0};  // the last search_log seq reflected in indexes_
  std::mutex catch_up_mutex_;             // one replay at a time
  std::int64_t pruned_ = -1;              // the log is pruned up to here (the background thread's)

  mutable std::mutex state_mutex_;
  std::condition_variable state_cv_;
  State state_ = State::idle;
  bool rebuild_ = false;  // the background thread is asked to build
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace st::db
