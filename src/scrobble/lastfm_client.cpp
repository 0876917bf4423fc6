#include "scrobble/lastfm_client.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cmath>

#include "model/errors.hpp"
#include "scrobble/lastfm_signature.hpp"
#include "util/strings.hpp"

namespace st::scrobble {

namespace json = boost::json;

namespace {

// The answer as JSON, or null when it is not JSON (an HTML error page from a proxy).
json::value parse(std::string_view body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value() : v;
}

// Last.fm's {"error": N, "message": "..."}; 0 when there is none.
long long error_code(const json::value& v) {
  if (!v.is_object()) return 0;
  const auto* e = v.as_object().if_contains("error");
  if (!e) return 0;
  if (e->is_int64()) return e->as_int64();
  if (e->is_uint64()) return static_cast<long long>(std::min<std::uint64_t>(e->as_uint64(), 1'000'000));
  return -1;  // present but odd: an error all the same
}

std::string short_text(const json::value& v, std::string_view key, std::size_t max) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  if (!m || !m->is_string()) return {};
  std::string s(m->as_string());
  return s.size() > max ? s.substr(0, max) : s;
}

}  // namespace

std::string LastfmClient::authorize_url(std::string_view callback) const {
  auto sep = config_.auth_url.find('?') == std::string::npos ? '?' : '&';
  return fmt::format("{}{}api_key={}&cb={}", config_.auth_url, sep, util::percent_encode(config_.api_key),
                     util::percent_encode(callback));
}

LastfmSession LastfmClient::get_session(std::string_view token) const {
  Params p{{"method", "auth.getSession"}, {"api_key", config_.api_key}, {"token", std::string(token)}};
  p["api_sig"] = lastfm_signature(p, config_.api_secret);
  p["format"] = "json";
  auto sep = config_.api_url.find('?') == std::string::npos ? '?' : '&';
  HttpAnswer a;
  try {
    a = http_(HttpCall{"GET", config_.api_url + sep + form_encode(p), {}, {}, {}});
  } catch (const std::exception&) {
    throw model::DomainError(model::ErrorKind::bad_gateway, "Last.fm cannot be reached");
  }
  auto v = parse(a.body);
  if (a.status != 200 || error_code(v) != 0) {
    auto message = short_text(v, "message", 200);
    throw model::DomainError(model::ErrorKind::bad_gateway,
                             message.empty() ? fmt::format("Last.fm answered {}", a.status) : "Last.fm: " + message);
  }
  const auto* s = v.is_object() ? v.as_object().if_contains("session") : nullptr;
  LastfmSession out;
  if (s) {
    out.key = short_text(*s, "key", 256);
    out.username = short_text(*s, "name", 128);
  }
  if (out.key.empty() || out.username.empty())
    throw model::DomainError(model::ErrorKind::bad_gateway, "Last.fm sent no session");
  return out;
}

Delivery classify_lastfm_answer(long status, std::string_view body) {
  auto v = parse(body);
  auto code = error_code(v);
  auto message = short_text(v, "message", 200);
  auto detail = fmt::format("HTTP {}{}", status, code ? fmt::format(", error {} {}", code, message) : "");
  // 11 service offline, 16 temporarily unavailable, 29 rate limit exceeded: come back later.
  if (code == 11 || code == 16 || code == 29 || status == 429 || status >= 500) return {Outcome::retry, detail};
  if (code == 9 || status == 403) return {Outcome::invalid_credentials, detail};  // 9: invalid session key
  if (status == 200 && code == 0) return {Outcome::delivered, detail};
  return {Outcome::rejected, detail};
}

Delivery LastfmClient::deliver(std::string_view session_key, const model::ScrobbleItem& item) const {
  bool listen = item.kind == "listen";
  Params p{{"method", listen ? "track.scrobble" : "track.updateNowPlaying"},
           {"api_key", config_.api_key},
           {"sk", std::string(session_key)},
           {"artist", item.artist},
           {"track", item.track}};
  if (item.album && !item.album->empty()) p["album"] = *item.album;
  if (item.duration_secs > 0) p["duration"] = std::to_string(static_cast<long long>(std::lround(item.duration_secs)));
  if (listen) p["timestamp"] = std::to_string(item.listened_at / 1'000'000);
  p["api_sig"] = lastfm_signature(p, config_.api_secret);
  p["format"] = "json";
  HttpAnswer a;
  try {
    a = http_(HttpCall{"POST", config_.api_url, form_encode(p), "application/x-www-form-urlencoded", {}});
  } catch (const std::exception& e) {
    return {Outcome::retry, std::string("no answer: ") + e.what()};
  }
  return classify_lastfm_answer(a.status, a.body);
}

}  // namespace st::scrobble
