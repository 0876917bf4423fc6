#pragma once
// What became of one attempt to deliver a queued item.
#include <string>

namespace st::scrobble {

enum class Outcome {
  delivered,
  retry,                // the service is down, overloaded or rate limiting: try again later
  invalid_credentials,  // the session or token is no longer valid: the user is disconnected
  rejected,             // the service refused this item for good: it is dropped
};

struct Delivery {
  Outcome outcome = Outcome::retry;
  std::string detail;  // for the log (never a credential)
};

}  // namespace st::scrobble
