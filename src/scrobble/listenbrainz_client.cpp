#include "scrobble/listenbrainz_client.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cmath>

#include "model/errors.hpp"

namespace st::scrobble {

namespace json = boost::json;

ListenBrainzClient::ListenBrainzClient(std::string api_url, HttpFn http)
    : api_url_(std::move(api_url)), http_(std::move(http)) {
  while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
}

std::string ListenBrainzClient::validate(std::string_view token) const {
  HttpAnswer a;
  try {
    a = http_(HttpCall{"GET", api_url_ + "/1/validate-token", {}, {}, {{"Authorization", "Token " + std::string(token)}}});
  } catch (const std::exception&) {
    throw model::DomainError(model::ErrorKind::bad_gateway, "ListenBrainz cannot be reached");
  }
  json::error_code ec;
  auto v = json::parse(a.body, ec);
  const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const auto* valid = o ? o->if_contains("valid") : nullptr;
  if (a.status == 401 || (a.status == 200 && valid && valid->is_bool() && !valid->as_bool()))
    model::throw_bad_request("ListenBrainz does not accept this token");
  const auto* name = o ? o->if_contains("user_name") : nullptr;
  if (a.status != 200 || !name || !name->is_string() || name->as_string().empty() || name->as_string().size() > 128)
    throw model::DomainError(model::ErrorKind::bad_gateway, fmt::format("ListenBrainz answered {}", a.status));
  return std::string(name->as_string());
}

std::string listenbrainz_payload(const model::ScrobbleItem& item) {
  bool listen = item.kind == "listen";
  json::object meta{{"artist_name", item.artist}, {"track_name", item.track}};
  if (item.album && !item.album->empty()) meta["release_name"] = *item.album;
  json::object info{{"submission_client", "SoundTime"}, {"media_player", "SoundTime"}};
  if (item.duration_secs > 0) info["duration_ms"] = static_cast<std::int64_t>(std::llround(item.duration_secs * 1000));
  meta["additional_info"] = std::move(info);
  json::object one{{"track_metadata", std::move(meta)}};
  if (listen) one["listened_at"] = item.listened_at / 1'000'000;
  json::object body{{"listen_type", listen ? "single" : "playing_now"}, {"payload", json::array{std::move(one)}}};
  return json::serialize(body);
}

Delivery ListenBrainzClient::deliver(std::string_view token, const model::ScrobbleItem& item) const {
  HttpAnswer a;
  try {
    a = http_(HttpCall{"POST", api_url_ + "/1/submit-listens", listenbrainz_payload(item), "application/json",
                       {{"Authorization", "Token " + std::string(token)}}});
  } catch (const std::exception& e) {
    return {Outcome::retry, std::string("no answer: ") + e.what()};
  }
  auto detail = fmt::format("HTTP {}", a.status);
  if (a.status == 200) return {Outcome::delivered, detail};
  if (a.status == 401) return {Outcome::invalid_credentials, detail};
  if (a.status == 429 || a.status >= 500 || a.status < 200) return {Outcome::retry, detail};
  return {Outcome::rejected, detail};
}

}  // namespace st::scrobble
