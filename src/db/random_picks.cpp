#include "db/random_picks.hpp"

#include <fmt/format.h>

#include <optional>
#include <random>
#include <set>

namespace st::db {

namespace {

constexpr int kSpread = 8;

// The row `o` steps after key k when the ordering wraps past its end to its start.
std::optional<std::string> wrapped_pick(Connection& c, const std::string& from, const std::string& alias,
                                        const std::string& where, const std::vector<Value>& params, std::int64_t k,
                                        int o) {
  auto values = params;  // the filter's placeholders come first in the statement
  values.emplace_back(k);
  auto after = c.query(fmt::format("SELECT COUNT(*) FROM (SELECT 1 FROM {0}{1} AND {2}.shuffle >= CAST(? AS BIGINT) "
                                   "LIMIT {3}) s",
                                   from, where, alias, o + 1),
                       values)
                   .rows.at(0)
                   .integer(0);
  if (after > o) return std::nullopt;  // a row was there after all (the table changed meanwhile)
  auto rows = c.query(fmt::format("SELECT {0}.id FROM {1}{2} ORDER BY {0}.shuffle LIMIT 1 OFFSET {3}", alias, from,
                                  where, o - after),
                      params)
                  .rows;
  if (rows.empty()) return std::nullopt;  // fewer rows than steps: the caller falls back
  return rows.front().text(0);
}

}  // namespace

std::int64_t shuffle_key() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return static_cast<std::int64_t>(rng());
}

std::vector<std::string> random_picks(Connection& c, const std::string& from, const std::string& alias,
                                      const std::string& where, const std::vector<Value>& params, std::int64_t n) {
  std::vector<std::string> out;
  if (n <= 0) return out;
  std::set<std::string> seen;
  for (int round = 0; round < 3 && static_cast<std::int64_t>(out.size()) < n; ++round) {
    // A probe misses only when it meets a row already picked, rare but for a small table or a narrow filter:
    // the first round asks for an eighth more than needed, later ones (after misses) for twice the rest.
    auto missing = n - static_cast<std::int64_t>(out.size());
    auto probes = round == 0 ? missing + missing / 8 + 4 : 2 * missing + 4;
    // Probes grouped by their step, one statement per step; results taken back in the probes' order.
    std::vector<std::vector<std::int64_t>> points(kSpread);
    std::vector<int> step_of;
    for (std::int64_t i = 0; i < probes; ++i) {
      auto k = shuffle_key();
      auto o = static_cast<int>(static_cast<std::uint64_t>(shuffle_key()) % kSpread);
      points[static_cast<std::size_t>(o)].push_back(k);
      step_of.push_back(o);
    }
    std::vector<std::vector<std::optional<std::string>>> found(kSpread);
    for (int o = 0; o < kSpread; ++o) {
      const auto& ks = points[static_cast<std::size_t>(o)];
      if (ks.empty()) continue;
      // Each point with its ordinal, and the answers ordered by it: neither engine promises a VALUES
      // list's rows in their written order.
      std::string values_sql;
      std::vector<Value> values;
      for (std::size_t i = 0; i < ks.size(); ++i) {
        values_sql += fmt::format("{}({}, CAST(? AS BIGINT))", i ? ", " : "", i);
        values.emplace_back(ks[i]);
      }
      values.insert(values.end(), params.begin(), params.end());
      auto sql = fmt::format(
          "WITH p(n, k) AS (VALUES {0}) SELECT (SELECT {1}.id FROM {2}{3} AND {1}.shuffle >= p.k ORDER BY "
          "{1}.shuffle LIMIT 1 OFFSET {4}) FROM p ORDER BY p.n",
          values_sql, alias, from, where, o);
      for (const auto& r : c.query(sql, values).rows) found[static_cast<std::size_t>(o)].push_back(r.opt_text(0));
    }
    std::vector<std::size_t> next(kSpread, 0);
    for (auto o : step_of) {
      auto& list = found[static_cast<std::size_t>(o)];
      auto& at = next[static_cast<std::size_t>(o)];
      if (at >= list.size()) continue;
      auto k = points[static_cast<std::size_t>(o)][at];
      auto id = list[at++];
      // Fewer than o + 1 rows from the point on: the keys wrap around, so the rows nearest the start are
      // as likely as any other (rare in a big table: a follow-up query for this probe alone).
      if (!id) id = wrapped_pick(c, from, alias, where, params, k, o);
      if (id && static_cast<std::int64_t>(out.size()) < n && seen.insert(*id).second) out.push_back(*id);
    }
  }
  return out;
}

}  // namespace st::db
