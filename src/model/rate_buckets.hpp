#pragma once
// Token buckets kept in the database, so that several nodes on one PostgreSQL share their rate limits
// (a client alternating between nodes gets no more attempts than on one). On SQLite there is one node and
// the limiter keeps its buckets in memory: no store at all.
#include <string_view>

namespace st::model {

struct SharedBucket {
  bool allowed = true;
  double tokens = 0;  // left after this call (refused: what there is, below one)
};

class RateBuckets {
 public:
  virtual ~RateBuckets() = default;
  // Refills the bucket `key` (full: `burst`; one token every `refill_ms`), then takes one token if there
  // is one and `consume`; one atomic statement, whichever node asks. Without `consume`, only reads the level
  // (a missing bucket is full). Throws when the database is out of reach.
  virtual SharedBucket take(std::string_view key, double burst, double refill_ms, bool consume) = 0;
};

}  // namespace st::model
