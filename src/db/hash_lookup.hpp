#pragma once
// Looking rows up by content hash (64 hex digits). The hash indexes hold only the first 16 digits
// (migration 0029: a quarter the size, so that they stay in the page cache at a million tracks), and an
// engine uses such an index only for a condition on that very expression: a lookup names the prefix for the
// index and the rest of the hash for the match. Never `content_hash = ?` beside it: SQLite would substitute
// the value into the prefix expression, which would then no longer match the index.
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/pg_array.hpp"
#include "db/sql.hpp"

namespace st::db {

// "<column> holds the hash": two parameters, both the hash (hash_is("t.content_hash"), {hash, hash}). Exact:
// two strings whose first 16 characters are equal and whose characters from the 17th on are equal are equal.
inline std::string hash_is(std::string_view column) {
  return fmt::format("(substr({0}, 1, 16) = substr(?, 1, 16) AND substr({0}, 17) = substr(?, 17))", column);
}

// The first 16 digits of a hash.
inline std::string hash_prefix(const std::string& hash) { return hash.substr(0, 16); }

// How many hashes one hash_in() condition takes (two parameters each, within every engine's limit).
inline constexpr std::size_t kHashesPerStatement = 500;

// "<column> holds one of these hashes" (at most kHashesPerStatement): the prefixes for the index, the whole
// hashes for the match. Appends the parameters to params.
inline std::string hash_in(std::string_view column, std::span<const std::string> hashes, std::vector<Value>& params) {
  std::string marks;
  for (const auto& h : hashes) {
    marks += marks.empty() ? "?" : ", ?";
    params.push_back(hash_prefix(h));
  }
  for (const auto& h : hashes) params.push_back(h);
  return fmt::format("(substr({0}, 1, 16) IN ({1}) AND {0} IN ({1}))", column, marks);
}

// "<table> <alias>" restricted to the rows holding one of the hashes (at most kHashesPerArray on PostgreSQL,
// kHashesPerStatement on SQLite), for "SELECT <alias's columns> FROM <this>"; appends the parameters.
// PostgreSQL: the hashes bound as one text[], each a probe of the prefix index. At a million tracks, 20,000
// hashes take one statement of ~120 ms; in IN lists of 500 they took 40 statements of ~27 ms, mostly planning
// a thousand parameters. The lateral subquery with OFFSET 0 is not flattened into a join, so the probes stay
// probes: a plan joining by hash would read the whole table (remote_tracks, ~450 ms a page).
// SQLite: hash_in.
inline std::string rows_holding_hashes(Dialect d, std::string_view table, std::string_view alias,
                                       std::span<const std::string> hashes, std::vector<Value>& params) {
  if (d == Dialect::sqlite)
    return fmt::format("{0} {1} WHERE {2}", table, alias, hash_in(fmt::format("{}.content_hash", alias), hashes, params));
  params.emplace_back(pg_array(hashes));
  return fmt::format(
      "unnest(CAST(? AS text[])) AS h(hash) CROSS JOIN LATERAL (SELECT * FROM {0} {1} WHERE "
      "substr({1}.content_hash, 1, 16) = substr(h.hash, 1, 16) AND substr({1}.content_hash, 17) = substr(h.hash, 17) "
      "OFFSET 0) {1}",
      table, alias);
}

// How many hashes one PostgreSQL array parameter takes.
inline constexpr std::size_t kHashesPerArray = 20000;

// Calls f(chunk) for each chunk of the hashes, each hash once, in as few chunks as the engine answers
// cheaply: kHashesPerStatement on SQLite (IN lists), kHashesPerArray on PostgreSQL (an array parameter).
template <class F>
void for_hash_chunks(Dialect d, std::span<const std::string> hashes, F&& f) {
  std::vector<std::string> unique(hashes.begin(), hashes.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  auto per = d == Dialect::postgres ? kHashesPerArray : kHashesPerStatement;
  for (std::size_t at = 0; at < unique.size(); at += per)
    f(std::span<const std::string>(unique).subspan(at, std::min(per, unique.size() - at)));
}

// Every track holding one of these hashes, oldest first: f(hash, track id, file path) for each, as many
// statements as the hashes need.
template <class F>
void for_tracks_holding(Connection& c, std::span<const std::string> hashes, F&& f) {
  for_hash_chunks(c.dialect(), hashes, [&](std::span<const std::string> chunk) {
    std::vector<Value> params;
    auto sql = "SELECT t.content_hash, t.id, t.file_path FROM " +
               rows_holding_hashes(c.dialect(), "tracks", "t", chunk, params) + " ORDER BY t.created_at";
    for (const auto& r : c.query(sql, params).rows) f(r.text(0), r.text(1), r.text(2));
  });
}

}  // namespace st::db
