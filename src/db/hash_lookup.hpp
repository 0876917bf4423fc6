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

// Every track holding one of these hashes, oldest first: f(hash, track id, file path) for each, as many
// statements as the hashes need.
template <class F>
void for_tracks_holding(Connection& c, std::span<const std::string> hashes, F&& f) {
  for (std::size_t at = 0; at < hashes.size(); at += kHashesPerStatement) {
    std::vector<Value> params;
    auto chunk = hashes.subspan(at, std::min(kHashesPerStatement, hashes.size() - at));
    auto sql = "SELECT content_hash, id, file_path FROM tracks WHERE " + hash_in("content_hash", chunk, params) +
               " ORDER BY created_at";
    for (const auto& r : c.query(sql, params).rows) f(r.text(0), r.text(1), r.text(2));
  }
}

}  // namespace st::db
