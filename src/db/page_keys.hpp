#pragma once
// Deep pages without walking the skipped rows (issue 15): for one ordering of one table, the key of every
// stride-th row, so that the page at offset o starts from the key of row (o / stride) * stride and
// skips fewer than stride rows through the ordering index. The keys are read again when the table's
// version (catalog_totals, migration 0017: bumped by triggers on every insert, delete and change of an
// ordering column, by any node) differs from the one they were read at.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

// An ordering that an index answers exactly (tie-breakers included).
struct KeyedOrder {
  std::string name;                   // the cache's key ("tracks:newest")
  std::string from;                   // "tracks t"
  std::vector<std::string> columns;   // the ordering's columns, all NOT NULL ("t.created_at", "t.id")
  std::vector<bool> integer;          // per column: read as an integer (else as text)
  bool descending = false;            // every column in the same direction
  std::vector<std::string> versions;  // catalog_totals rows whose version the ordering depends on
  // Also bound the first column alone: SQLite seeks a multi-column index with the row value itself, but
  // an ordering read partly from another table (only its first column indexed) needs the plain bound to
  // seek instead of scanning from the start. Left off otherwise: the plain bound would take the place of
  // the row value's seek.
  bool seek_first_column = false;
  // The rows of a subset only (" WHERE ..." with its values; e.g. the albums of one genre): its keys are
  // sampled among those rows (from + filter are read only to sample: the page itself is read by the
  // caller's query, which may reach the same rows another way). Orderings with a filter are cached at most
  // kFiltered at a time.
  std::string filter;
  std::vector<Value> filter_params;
  // Every stride-th row's key is kept: a deep page walks fewer than `stride` rows from its key. Smaller for
  // the album and artist lists (100: 1,000 keys at 100,000 albums), whose rows PostgreSQL reads through a
  // join, than for the tracks' (500: 2,000 keys at a million).
  std::int64_t stride = 500;

  std::string order_by() const;  // " ORDER BY t.created_at DESC, t.id DESC"
  // " AND (t.created_at, t.id) <= (?, ?)": rows from the key on, in the ordering's direction (preceded by
  // " AND t.created_at <= ?" with seek_first_column); bound with key_params(key).
  std::string from_key() const;
  std::vector<Value> key_params(const std::vector<Value>& key) const;
  // Rows a page at `offset` walks past before its first (from its sampled key, or from the start).
  std::int64_t walked(std::int64_t offset) const { return offset < stride ? offset : offset % stride; }
};

struct PageStart {
  std::vector<Value> key;   // seek to this key (inclusive)...
  std::int64_t skip = 0;    // ...then skip this many rows (< the ordering's stride)
  bool past_end = false;    // the offset is beyond the last row: the page is empty
  // For an ordering read through a join (seek_first_column) and a page of known length: the first column of
  // a sampled key past the page's last row (none near the end of the list). See PageEnd.
  std::optional<Value> end_first;
};

// Where a deep page of an ordering read through a join surely ends: " AND <first column> <= ?" and its value.
// Bounded at both ends, PostgreSQL reads the few rows between through the ordering's index (0.3 ms for 50
// albums by artist at a million tracks); bounded below only, it estimates the rows from a key near the end of
// the list too few to walk for, and joins the whole tables instead (28 ms). The bound is a stride past the
// page's last row as sampled: rows added since only lengthen what lies within it, and up to a stride of rows
// removed or moved out of it still leaves the page inside. A caller whose page comes back short (more went
// between reading the versions and the page) reads it again without the bound.
struct PageEnd {
  std::string where;
  std::vector<Value> params;
};

class PageKeys {
 public:
  static constexpr std::size_t kFiltered = 32;

  // Where the page at `offset` (of `limit` rows, if known) starts, or nullopt when a plain OFFSET is as cheap
  // (a shallow page).
  std::optional<PageStart> start(Connection& c, const KeyedOrder& order, std::int64_t offset,
                                 std::int64_t limit = 0);
  // The same, applied to a query: appends the key's bound to `where` and its values to `params` (a deep
  // page), and answers how many rows the query still skips; nullopt when the offset is past the end. With
  // `end` (and `limit`), also where the page ends, when the ordering is read through a join and the page is
  // not near the end (else end->where stays empty).
  std::optional<std::int64_t> seek(Connection& c, const KeyedOrder& order, std::int64_t offset, std::string& where,
                                   std::vector<Value>& params, std::int64_t limit = 0, PageEnd* end = nullptr);

 private:
  struct Sampled {
    std::vector<std::int64_t> versions;
    std::vector<std::vector<Value>> keys;  // keys[j]: the key of row j * stride
    bool filtered = false;
  };

  std::mutex mu_;  // held while keys are read, so concurrent deep pages read them once
  std::map<std::string, Sampled> sampled_;
  std::size_t filtered_ = 0;  // entries of sampled_ for orderings with a filter
};

}  // namespace st::db
