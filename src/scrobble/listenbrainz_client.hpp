#pragma once
// The ListenBrainz API calls SoundTime makes: GET /1/validate-token, POST /1/submit-listens (single and
// playing_now). Answers are untrusted: bounded (kMaxAnswerBytes) and read defensively.
#include <string>
#include <string_view>

#include "model/scrobble.hpp"
#include "scrobble/delivery.hpp"
#include "scrobble/http_call.hpp"

namespace st::scrobble {

class ListenBrainzClient {
 public:
  ListenBrainzClient(std::string api_url, HttpFn http);

  // The ListenBrainz user name the token belongs to. Throws model::DomainError: bad_request when
  // ListenBrainz says the token is not valid, bad_gateway when it cannot say.
  std::string validate(std::string_view token) const;
  Delivery deliver(std::string_view token, const model::ScrobbleItem& item) const;

 private:
  std::string api_url_;  // without a trailing slash
  HttpFn http_;
};

// The submit-listens body for one item; exposed for tests.
std::string listenbrainz_payload(const model::ScrobbleItem& item);

}  // namespace st::scrobble
