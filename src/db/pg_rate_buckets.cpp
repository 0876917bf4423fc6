#include "db/pg_rate_buckets.hpp"

#include <string>

namespace st::db {

namespace {
// The refilled level, from the row's previous level and age (seconds since the epoch, server clock: every
// node reads the same clock).
constexpr const char* kLevel =
    "LEAST(CAST(? AS DOUBLE PRECISION), rate_buckets.tokens + (EXTRACT(EPOCH FROM clock_timestamp()) - rate_buckets.updated) "
    "* 1000.0 / CAST(? AS DOUBLE PRECISION))";
}  // namespace

model::SharedBucket PgRateBuckets::take(std::string_view key, double burst, double refill_ms, bool consume) {
  auto lease = pool_.acquire();
  std::string level = kLevel;
  if (!consume) {
    // A look alone (every Subsonic request checks its address's failures): read, never written, so that
    // a request costs no commit (with fsync on, a WAL flush each) and leaves no dead row.
    auto rows =
        lease->query("SELECT " + level + " FROM rate_buckets WHERE key = ?", {burst, refill_ms, std::string(key)});
    if (rows.empty()) return {true, burst};
    auto tokens = rows.rows.front().real(0);
    return {tokens >= 1, tokens};
  }
  // Refilled completely long ago: nobody needs the row (bounded table under a flood of addresses; only takes
  // add rows, so they alone sweep).
  if (++calls_ % 1000 == 0)
    lease->query("DELETE FROM rate_buckets WHERE updated < EXTRACT(EPOCH FROM clock_timestamp()) - CAST(? AS DOUBLE PRECISION)",
                 {burst * refill_ms / 1000.0 + 3600.0});
  double take = 1.0;
  std::string sql =
      "INSERT INTO rate_buckets (key, tokens, updated, allowed) VALUES (?, CAST(? AS DOUBLE PRECISION) - CAST(? AS DOUBLE PRECISION), EXTRACT(EPOCH FROM clock_timestamp()), "
      "TRUE) ON CONFLICT (key) DO UPDATE SET tokens = CASE WHEN " + level + " >= 1 THEN " + level + " - CAST(? AS DOUBLE PRECISION) ELSE " + level +
      " END, allowed = " + level + " >= 1, updated = EXTRACT(EPOCH FROM clock_timestamp()) RETURNING allowed, tokens";
  auto rows = lease->query(sql, {std::string(key), burst, take, burst, refill_ms, burst, refill_ms, take, burst,
                                 refill_ms, burst, refill_ms});
  const auto& r = rows.rows.at(0);
  return {r.boolean(0), r.real(1)};
}

}  // namespace st::db
