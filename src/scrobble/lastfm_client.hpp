#pragma once
// The Last.fm API calls SoundTime makes: auth.getSession, track.updateNowPlaying, track.scrobble.
// Answers are untrusted: bounded (kMaxAnswerBytes) and read defensively.
#include <string>
#include <string_view>

#include "model/scrobble.hpp"
#include "scrobble/delivery.hpp"
#include "scrobble/http_call.hpp"

namespace st::scrobble {

struct LastfmConfig {
  std::string api_key, api_secret;
  std::string api_url = "https://ws.audioscrobbler.com/2.0/";
  std::string auth_url = "https://www.last.fm/api/auth/";
};

struct LastfmSession {
  std::string key, username;
};

class LastfmClient {
 public:
  LastfmClient(LastfmConfig config, HttpFn http) : config_(std::move(config)), http_(std::move(http)) {}

  bool has_key() const { return !config_.api_key.empty(); }
  bool configured() const { return has_key() && !config_.api_secret.empty(); }
  // The page where the user allows SoundTime; Last.fm comes back to `callback` with ?token=.
  std::string authorize_url(std::string_view callback) const;
  // Throws model::DomainError (bad_gateway) when Last.fm fails or refuses the token.
  LastfmSession get_session(std::string_view token) const;
  Delivery deliver(std::string_view session_key, const model::ScrobbleItem& item) const;

 private:
  LastfmConfig config_;
  HttpFn http_;
};

// How a Last.fm answer (status, body) is to be taken; exposed for tests.
Delivery classify_lastfm_answer(long status, std::string_view body);

}  // namespace st::scrobble
