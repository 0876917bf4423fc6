#include "db/search_index.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "util/heap.hpp"
#include "util/time.hpp"

namespace st::db {

namespace {

constexpr std::array<const char*, 3> kTables = {"tracks", "albums", "artists"};
constexpr std::int64_t kChunk = 20'000;        // rows read per statement while building
constexpr std::size_t kReplayEntries = 20'000;  // a larger backlog is rebuilt instead of replayed
constexpr std::int64_t kReplayRows = 200'000;   // rows a replay may re-read
constexpr std::int64_t kPruneStep = 5'000;      // log rows deleted per statement

struct TooLarge {};

std::uint32_t doc_number(std::int64_t rowid) {
  if (rowid < 0 || rowid > search::TextIndex::kMaxDoc) throw TooLarge{};
  return static_cast<std::uint32_t>(rowid);
}

}  // namespace

SearchIndexes::SearchIndexes(Pool& pool, std::size_t build_inline_below, std::chrono::milliseconds prune_period,
                             std::chrono::seconds shared_log_age)
    : pool_(pool),
      pg_(pool.dialect() == Dialect::postgres),
      key_(pg_ ? "doc" : "rowid"),
      build_inline_below_(build_inline_below),
      prune_period_(prune_period),
      shared_log_age_(shared_log_age) {}

SearchIndexes::LogPosition SearchIndexes::log_position(Connection& c) {
  if (!pg_)  // AUTOINCREMENT's counter: the last number given, even when pruned
    return {c.query_integers("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'search_log'), 0)", {}).at(0), 0};
  auto r = c.query_integers(
      "SELECT COALESCE((SELECT MAX(seq) FROM search_log), 0), (SELECT n FROM catalog_totals WHERE name = "
      "'search_log_pruned')",
      {});
  return {std::max(r.at(0), r.at(1)), r.at(1)};
}

SearchIndexes::~SearchIndexes() {
  {
    std::lock_guard lk(state_mutex_);
    stop_ = true;
  }
  state_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SearchIndexes::ready() const {
  std::lock_guard lk(state_mutex_);
  return state_ == State::ready;
}

void SearchIndexes::prepare() {
  std::lock_guard lk(state_mutex_);
  if (state_ != State::idle) return;
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  state_ = State::building;
  rebuild_ = true;
  state_cv_.notify_all();
}

std::size_t SearchIndexes::documents() const {
  std::shared_lock lk(index_mutex_);
  std::size_t n = 0;
  for (const auto& ix : indexes_) n += ix.size();
  return n;
}

void SearchIndexes::wait_ready() {
  {
    auto c = pool_.acquire();
    query(*c, {}, {});
  }
  std::unique_lock lk(state_mutex_);
  state_cv_.wait(lk, [&] { return state_ == State::ready || state_ == State::off || state_ == State::idle || stop_; });
}

std::optional<SearchIndexes::Results> SearchIndexes::query(Connection& c, std::span<const std::string> words,
                                                           const std::array<Window, 3>& windows) {
  bool build_here = false;
  {
    std::lock_guard lk(state_mutex_);
    if (state_ == State::idle) {
      if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
      state_ = State::building;
      auto rows = c.query_integers(
          fmt::format("SELECT COALESCE((SELECT MAX({0}) FROM tracks), 0) + COALESCE((SELECT MAX({0}) FROM albums), 0) + "
                      "COALESCE((SELECT MAX({0}) FROM artists), 0)",
                      key_),
          {});
      if (rows.at(0) < static_cast<std::int64_t>(build_inline_below_)) {
        build_here = true;
      } else {
        rebuild_ = true;
        state_cv_.notify_all();
      }
    }
    if (!build_here && state_ != State::ready) return std::nullopt;
  }
  if (build_here && !build(&c)) return std::nullopt;
  if (!catch_up(c)) return std::nullopt;
  std::shared_lock lk(index_mutex_);
  Results r;
  for (std::size_t t = 0; t < r.size(); ++t)
    if (windows[t].limit > 0) r[t] = indexes_[t].query(words, windows[t].offset, windows[t].limit);
  return r;
}

bool SearchIndexes::build(Connection* inline_connection) {
  try {
    auto started = std::chrono::steady_clock::now();
    std::int64_t seq;
    std::array<search::TextIndex, 3> fresh;
    {
      std::optional<Pool::Lease> lease;
      if (!inline_connection) lease.emplace(pool_.acquire());
      seq = log_position(inline_connection ? *inline_connection : **lease).latest;
    }
    for (std::size_t t = 0; t < kTables.size(); ++t) {
      auto sql = fmt::format("SELECT {1}, search_text FROM {0} WHERE {1} > ? ORDER BY {1} LIMIT ?", kTables[t], key_);
      for (std::int64_t after = 0;;) {
        Rows rows;
        if (inline_connection) {
          rows = inline_connection->query(sql, {after, kChunk});
        } else {
          auto lease = pool_.acquire();  // one chunk at a time: requests keep their connections meanwhile
          rows = lease->query(sql, {after, kChunk});
        }
        if (rows.rows.empty()) break;
        for (const auto& r : rows.rows) fresh[t].put(doc_number(r.integer(0)), r.opt_text(1).value_or(""));
        after = rows.rows.back().integer(0);
        std::lock_guard lk(state_mutex_);
        if (stop_) return false;
      }
      fresh[t].shrink();
    }
    std::size_t bytes = 0;
    for (const auto& ix : fresh) bytes += ix.memory_bytes();
    spdlog::info("search: {} tracks, {} albums and {} artists indexed in memory in {} ms ({} MiB)", fresh[0].size(),
                 fresh[1].size(), fresh[2].size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
                 bytes >> 20);
    {
      std::lock_guard g(catch_up_mutex_);
      std::unique_lock lk(index_mutex_);
      indexes_ = std::move(fresh);
      applied_ = seq;
    }
    std::lock_guard lk(state_mutex_);
    state_ = State::ready;
    state_cv_.notify_all();
    return true;
  } catch (const TooLarge&) {
    spdlog::warn("search: rowids past {} — searching with FTS5 instead of the in-memory index",
                 search::TextIndex::kMaxDoc);
    std::lock_guard lk(state_mutex_);
    state_ = State::off;
  } catch (const std::exception& e) {
    spdlog::warn("search: building the in-memory index failed ({}); the next search tries again", e.what());
    std::lock_guard lk(state_mutex_);
    state_ = State::idle;
  }
  state_cv_.notify_all();
  return false;
}

bool SearchIndexes::catch_up(Connection& c) {
  auto [latest, pruned] = log_position(c);
  if (latest <= applied_) return true;
  std::lock_guard g(catch_up_mutex_);
  {
    std::lock_guard lk(state_mutex_);
    if (state_ != State::ready) return false;
  }
  auto from = applied_.load();
  if (latest <= from) return true;
  if (pruned > from) {  // another node pruned entries this one had not applied
    std::lock_guard lk(state_mutex_);
    state_ = State::building;
    rebuild_ = true;
    state_cv_.notify_all();
    return false;
  }
  auto log = c.query_integers("SELECT seq, tbl, first_doc, last_doc FROM search_log WHERE seq > ? ORDER BY seq LIMIT ?",
                              {from, static_cast<std::int64_t>(kReplayEntries + 1)});
  std::int64_t span = 0;
  for (std::size_t i = 0; i + 3 < log.size(); i += 4) span += std::max<std::int64_t>(0, log[i + 3] - log[i + 2] + 1);
  if (log.size() / 4 > kReplayEntries || span > kReplayRows) {
    std::lock_guard lk(state_mutex_);
    state_ = State::building;
    rebuild_ = true;
    state_cv_.notify_all();
    return false;
  }
  auto upto = log.empty() ? latest : log[log.size() - 4];
  // What each table's touched rows hold now: single rows by their rowids, ranges whole.
  struct Touched {
    std::vector<std::int64_t> singles;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    std::vector<std::pair<std::int64_t, std::string>> rows;  // the touched rows that exist
  };
  std::array<Touched, 3> touched;
  for (std::size_t i = 0; i + 3 < log.size(); i += 4) {
    auto t = log[i + 1];
    if (t < 0 || t > 2) continue;
    auto& to = touched[static_cast<std::size_t>(t)];
    if (log[i + 2] == log[i + 3]) to.singles.push_back(log[i + 2]);
    else if (log[i + 2] < log[i + 3]) to.ranges.emplace_back(log[i + 2], log[i + 3]);
  }
  for (std::size_t t = 0; t < touched.size(); ++t) {
    auto& to = touched[t];
    std::sort(to.singles.begin(), to.singles.end());
    to.singles.erase(std::unique(to.singles.begin(), to.singles.end()), to.singles.end());
    auto keep = [&](const Rows& rows) {
      for (const auto& r : rows.rows) to.rows.emplace_back(r.integer(0), r.opt_text(1).value_or(""));
    };
    for (std::size_t i = 0; i < to.singles.size(); i += 500) {
      std::string ids;
      for (auto j = i; j < std::min(to.singles.size(), i + 500); ++j) ids += (j == i ? "" : ",") + std::to_string(to.singles[j]);
      keep(pg_ ? c.query(fmt::format("SELECT doc, search_text FROM {} WHERE doc = ANY(?::bigint[])", kTables[t]),
                         {"{" + ids + "}"})
               : c.query(fmt::format("SELECT rowid, search_text FROM {} WHERE rowid IN (SELECT value FROM json_each(?))",
                                     kTables[t]),
                         {"[" + ids + "]"}));
    }
    for (auto [first, last] : to.ranges)
      keep(c.query(fmt::format("SELECT {1}, search_text FROM {0} WHERE {1} BETWEEN ? AND ?", kTables[t], key_),
                   {first, last}));
  }
  try {
    std::unique_lock lk(index_mutex_);
    for (std::size_t t = 0; t < touched.size(); ++t) {
      auto& to = touched[t];
      auto& ix = indexes_[t];
      std::unordered_set<std::int64_t> present;
      for (const auto& [rowid, text] : to.rows) {
        ix.put(doc_number(rowid), text);
        present.insert(rowid);
      }
      for (auto rowid : to.singles)
        if (!present.contains(rowid) && rowid >= 0 && rowid <= search::TextIndex::kMaxDoc)
          ix.erase(static_cast<std::uint32_t>(rowid));
      for (auto [first, last] : to.ranges)
        for (auto rowid = std::max<std::int64_t>(first, 0); rowid <= std::min<std::int64_t>(last, search::TextIndex::kMaxDoc);
             ++rowid)
          if (!present.contains(rowid)) ix.erase(static_cast<std::uint32_t>(rowid));
      if (!to.rows.empty() || !to.singles.empty() || !to.ranges.empty()) ix.settle();
    }
    applied_ = upto;
  } catch (const TooLarge&) {
    spdlog::warn("search: rowids past {} — searching with FTS5 instead of the in-memory index",
                 search::TextIndex::kMaxDoc);
    std::lock_guard lk(state_mutex_);
    state_ = State::off;
    return false;
  }
  return true;
}

void SearchIndexes::loop() {
  std::unique_lock lk(state_mutex_);
  while (!stop_) {
    state_cv_.wait_for(lk, prune_period_, [&] { return stop_ || rebuild_; });
    if (stop_) break;
    if (rebuild_) {
      rebuild_ = false;
      lk.unlock();
      build(nullptr);
      util::release_thread_heap_cache();  // the blocks the build freed, kept by this thread's heap cache
      lk.lock();
      continue;
    }
    if (state_ != State::ready) continue;
    lk.unlock();
    try {
      prune();
    } catch (const std::exception& e) {
      spdlog::warn("search: pruning search_log: {}", e.what());
    }
    lk.lock();
  }
}

void SearchIndexes::prune() {
  auto upto = applied_.load();
  if (upto == pruned_) return;  // nothing applied since: no lease taken (a quiet server stays quiet)
  auto c = pool_.acquire();
  auto limit = upto;
  if (pg_) {
    // Only entries old enough that every node searching has applied them; the marker moves before they go,
    // so that a node that had not applied them rebuilds instead of missing them.
    auto before = util::now_micros() - std::chrono::duration_cast<std::chrono::microseconds>(shared_log_age_).count();
    limit = c->query_integers("SELECT COALESCE(MAX(seq), 0) FROM search_log WHERE seq <= ? AND logged_at < ?",
                              {upto, before})
                .at(0);
    if (limit == 0) return;  // tried again next period
    c->query("UPDATE catalog_totals SET n = GREATEST(n, ?) WHERE name = 'search_log_pruned'", {limit});
  }
  for (;;) {
    auto oldest = c->query_integers("SELECT COALESCE(MIN(seq), 0) FROM search_log", {}).at(0);
    if (oldest == 0 || oldest > limit) {
      if (limit == upto) pruned_ = upto;
      return;
    }
    c->query("DELETE FROM search_log WHERE seq <= ?", {std::min(limit, oldest + kPruneStep)});
    std::lock_guard lk(state_mutex_);
    if (stop_) return;
  }
}

std::int64_t SearchIndexes::log_rows() {
  auto c = pool_.acquire();
  return c->query_integers("SELECT COUNT(*) FROM search_log", {}).at(0);
}

std::size_t SearchIndexes::memory_bytes() const {
  std::shared_lock lk(index_mutex_);
  std::size_t n = 0;
  for (const auto& ix : indexes_) n += ix.memory_bytes();
  return n;
}

}  // namespace st::db
