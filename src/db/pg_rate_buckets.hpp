#pragma once
// model::RateBuckets in a PostgreSQL table, each take one UPSERT (rows lock one another, so two nodes
// taking the last token at once cannot both get it). Stale rows are deleted now and then.
#include <atomic>

#include "db/pool.hpp"
#include "model/rate_buckets.hpp"

namespace st::db {

class PgRateBuckets final : public model::RateBuckets {
 public:
  explicit PgRateBuckets(Pool& pool) : pool_(pool) {}
  model::SharedBucket take(std::string_view key, double burst, double refill_ms, bool consume) override;

 private:
  Pool& pool_;
  std::atomic<unsigned> calls_{0};
};

}  // namespace st::db
