#include "scrobble/scrobbler.hpp"

#include <spdlog/spdlog.h>

#include "crypto/secret_box.hpp"
#include "model/errors.hpp"
#include "scrobble/rules.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::scrobble {

namespace {

constexpr std::string_view kLastfmSession = "lastfm_session_key";
constexpr std::string_view kLastfmUser = "lastfm_username";
constexpr std::string_view kLastfmEnabled = "lastfm_scrobble_enabled";
constexpr std::string_view kLbToken = "listenbrainz_token";
constexpr std::string_view kLbUser = "listenbrainz_username";

}  // namespace

Scrobbler::Scrobbler(ScrobblerOptions options, HttpFn http, model::UserSettingsRepository& settings,
                     model::ScrobbleQueueRepository& queue)
    : options_(std::move(options)),
      lastfm_(options_.lastfm, http),
      listenbrainz_(options_.listenbrainz_url, http),
      settings_(settings),
      queue_(queue) {}

void Scrobbler::put_sealed(std::string_view user_id, std::string_view key, std::string_view secret) {
  settings_.put(user_id, key, crypto::seal(options_.sealing_key, secret));
}

// The user's session key or token for the service, when connected (and, for Last.fm, enabled).
std::optional<std::string> Scrobbler::credential(std::string_view user_id, std::string_view service) {
  if (service == "lastfm") {
    if (!lastfm_.configured() || settings_.get(user_id, kLastfmEnabled).value_or("false") != "true") return std::nullopt;
    auto sealed = settings_.get(user_id, kLastfmSession);
    return sealed ? crypto::open_sealed(options_.sealing_key, *sealed) : std::nullopt;
  }
  auto sealed = settings_.get(user_id, kLbToken);
  return sealed ? crypto::open_sealed(options_.sealing_key, *sealed) : std::nullopt;
}

LastfmStatus Scrobbler::lastfm_status(std::string_view user_id) {
  LastfmStatus s;
  s.connected = settings_.get(user_id, kLastfmSession).has_value();
  if (s.connected) s.username = settings_.get(user_id, kLastfmUser);
  s.scrobble_enabled = s.connected && settings_.get(user_id, kLastfmEnabled).value_or("false") == "true";
  return s;
}

LastfmStatus Scrobbler::lastfm_connect(std::string_view user_id, std::string_view token) {
  if (token.empty() || token.size() > 256) model::throw_bad_request("token must be 1 to 256 characters");
  auto session = lastfm_.get_session(token);
  put_sealed(user_id, kLastfmSession, session.key);
  settings_.put(user_id, kLastfmUser, session.username);
  settings_.put(user_id, kLastfmEnabled, "true");
  spdlog::info("user {} connected Last.fm account {}", user_id, session.username);
  return {true, session.username, true};
}

void Scrobbler::lastfm_set_enabled(std::string_view user_id, bool enabled) {
  settings_.put(user_id, kLastfmEnabled, enabled ? "true" : "false");
}

void Scrobbler::lastfm_disconnect(std::string_view user_id) {
  settings_.erase_prefix(user_id, "lastfm_");
  queue_.drop(user_id, "lastfm");
}

ListenBrainzStatus Scrobbler::listenbrainz_status(std::string_view user_id) {
  ListenBrainzStatus s;
  s.connected = settings_.get(user_id, kLbToken).has_value();
  if (s.connected) s.username = settings_.get(user_id, kLbUser);
  s.pending = queue_.pending(user_id, "listenbrainz");
  return s;
}

ListenBrainzStatus Scrobbler::listenbrainz_connect(std::string_view user_id, std::string_view token) {
  token = util::trim(token);
  if (token.empty() || token.size() > 256) model::throw_bad_request("token must be 1 to 256 characters");
  for (char c : token)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) model::throw_bad_request("token has invalid characters");
  auto name = listenbrainz_.validate(token);
  put_sealed(user_id, kLbToken, token);
  settings_.put(user_id, kLbUser, name);
  spdlog::info("user {} connected ListenBrainz account {}", user_id, name);
  return listenbrainz_status(user_id);
}

void Scrobbler::listenbrainz_disconnect(std::string_view user_id) {
  settings_.erase_prefix(user_id, "listenbrainz_");
  queue_.drop(user_id, "listenbrainz");
}

void Scrobbler::enqueue(std::string_view user_id, std::string_view service, std::string_view kind,
                        const model::Track& t, util::Micros at) {
  if (!credential(user_id, service)) return;
  model::ScrobbleItem i;
  i.id = util::new_uuid();
  i.user_id = user_id;
  i.service = service;
  i.kind = kind;
  i.artist = t.artist_name;
  i.track = t.title;
  i.album = t.album_title;
  i.duration_secs = t.duration_secs;
  i.listened_at = at;
  i.created_at = util::now_micros();
  i.next_attempt_at = i.created_at;
  if (auto dropped = queue_.push(i, options_.queue_cap))
    spdlog::warn("scrobble queue of user {} for {} is full ({} items): dropped the {} oldest", user_id, service,
                 options_.queue_cap, dropped);
  wake();
  if (on_queued_) on_queued_();
}

void Scrobbler::now_playing(std::string_view user_id, const model::Track& track) {
  auto now = util::now_micros();
  for (std::string_view service : {"lastfm", "listenbrainz"}) enqueue(user_id, service, "now_playing", track, now);
}

void Scrobbler::listened(std::string_view user_id, const model::Track& track, util::Micros started_at,
                         double listened_secs) {
  if (!counts_as_listen(track.duration_secs, listened_secs)) return;
  for (std::string_view service : {"lastfm", "listenbrainz"}) enqueue(user_id, service, "listen", track, started_at);
}

}  // namespace st::scrobble
