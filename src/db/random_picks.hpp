#pragma once
// Random rows without sorting a table (migration 0018): every track and album has a random key, indexed;
// a pick is an index probe at a random point of it.
#include <cstdint>
#include <string>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

// A new row's random key.
std::int64_t shuffle_key();

// `n` distinct random rows of `from` passing `where` (" WHERE 1 = 1 AND ..." on `alias`, with params), as
// their ids. A probe takes the passing row `o` steps after a random point (o drawn from 0..7), so a filter
// most rows pass costs a few index steps per pick; with o = 0 alone a row's chance would follow the gap
// before its key (some rows all but never drawn), spread over 8 gaps it stays near the mean. Fewer than n
// when the probes keep meeting the same rows (a small table or a narrow filter): the caller then sorts
// the few candidates instead.
std::vector<std::string> random_picks(Connection& c, const std::string& from, const std::string& alias,
                                      const std::string& where, const std::vector<Value>& params, std::int64_t n);

}  // namespace st::db
