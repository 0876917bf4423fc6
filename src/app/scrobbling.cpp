#include "app/scrobbling.hpp"

#include <spdlog/spdlog.h>

#include "lib/curl/http_get.hpp"

namespace st::app {

std::unique_ptr<scrobble::Scrobbler> make_scrobbler(const Config& c, Services& s) {
  scrobble::ScrobblerOptions o;
  o.lastfm = {c.lastfm_api_key, c.lastfm_api_secret, c.lastfm_api_url, c.lastfm_auth_url};
  o.listenbrainz_url = c.listenbrainz_api_url;
  o.lastfm_callback_url = c.scheme + "://" + c.domain + "/settings?lastfm_callback=1";
  o.sealing_key = s.server_key;
  o.queue_cap = c.scrobble_queue_max;
  o.retry_base = std::chrono::seconds(c.scrobble_retry_seconds);
  o.idle_look = std::chrono::seconds(c.scrobble_idle_check_seconds);
  if (!c.lastfm_api_key.empty() && c.lastfm_api_secret.empty())
    spdlog::error("LASTFM_API_KEY is set without LASTFM_API_SECRET: Last.fm accounts cannot be connected");
  auto http = [](const scrobble::HttpCall& call) {
    constexpr long kTimeout = 10;
    auto r = call.method == "POST"
                 ? lib::curl::post(call.url, call.body, call.content_type, call.headers, kTimeout, scrobble::kMaxAnswerBytes)
                 : lib::curl::get_with_headers(call.url, call.headers, kTimeout, scrobble::kMaxAnswerBytes);
    return scrobble::HttpAnswer{r.status, std::move(r.body)};
  };
  return std::make_unique<scrobble::Scrobbler>(std::move(o), http, *s.user_settings, *s.scrobble_queue);
}

}  // namespace st::app
