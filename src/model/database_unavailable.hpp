#pragma once
// The database cannot be reached (down, restarting, network): nothing is wrong with the request, and it
// may succeed after retry_after_seconds. Answered 503 with Retry-After, never logged per request.
#include <string>

#include "model/errors.hpp"

namespace st::model {

class DatabaseUnavailable : public StorageError {
 public:
  DatabaseUnavailable(std::string message, int retry_after_seconds)
      : StorageError(std::move(message)), retry_after_(retry_after_seconds < 1 ? 1 : retry_after_seconds) {}
  int retry_after_seconds() const noexcept { return retry_after_; }

 private:
  int retry_after_;
};

}  // namespace st::model
