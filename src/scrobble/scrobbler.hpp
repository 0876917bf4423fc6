#pragma once
// Scrobbling for each user to Last.fm and ListenBrainz: the accounts (credentials sealed at rest in the
// user's settings), and playback events turned into queued deliveries. HTTP handlers only queue (a
// database write); a background thread delivers, retrying with backoff while a service is down.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "model/catalog.hpp"
#include "model/scrobble.hpp"
#include "scrobble/lastfm_client.hpp"
#include "scrobble/listenbrainz_client.hpp"

namespace st::scrobble {

struct ScrobblerOptions {
  LastfmConfig lastfm;
  std::string listenbrainz_url = "https://api.listenbrainz.org";
  std::string lastfm_callback_url;  // SCHEME://DOMAIN/settings?lastfm_callback=1
  std::string sealing_key;          // 32 bytes: the server key that seals credentials
  std::size_t queue_cap = 10'000;   // per user and service; the oldest beyond it are dropped
  std::chrono::seconds retry_base{30};
  std::chrono::seconds retry_cap{3600};
  std::size_t batch = 50;  // items looked at per pass
  // The longest wait between looks at the queue when nothing wakes the delivery thread (a database outage
  // or a clock change cannot stall it longer).
  std::chrono::seconds idle_look{60};
};

struct LastfmStatus {
  bool connected = false;
  std::optional<std::string> username;
  bool scrobble_enabled = false;
};

struct ListenBrainzStatus {
  bool connected = false;
  std::optional<std::string> username;
  std::size_t pending = 0;  // deliveries waiting
};

class Scrobbler {
 public:
  Scrobbler(ScrobblerOptions options, HttpFn http, model::UserSettingsRepository& settings,
            model::ScrobbleQueueRepository& queue);
  ~Scrobbler() noexcept;
  Scrobbler(const Scrobbler&) = delete;
  Scrobbler& operator=(const Scrobbler&) = delete;

  // Starts the delivery thread (tests call deliver_due instead).
  // Deliveries happen only while on_duty() (when given) says so: the cluster's leader delivers, so two
  // nodes never send one queued item twice. wake() after the duty begins.
  void start(std::function<bool()> on_duty = {});
  // Looks at the queue now (something was queued, or the duty began).
  void wake();
  // Called after an item is queued, besides wake(): on a cluster, tells the node that delivers (the
  // leader, which may be another one) to look at the queue now. Set before start().
  void on_queued(std::function<void()> tell) { on_queued_ = std::move(tell); }

  bool lastfm_has_key() const { return lastfm_.has_key(); }
  bool lastfm_configured() const { return lastfm_.configured(); }
  std::string lastfm_authorize_url() const { return lastfm_.authorize_url(options_.lastfm_callback_url); }
  LastfmStatus lastfm_status(std::string_view user_id);
  // Trades the token Last.fm gave the user's browser for a session (waits on Last.fm).
  LastfmStatus lastfm_connect(std::string_view user_id, std::string_view token);
  void lastfm_set_enabled(std::string_view user_id, bool enabled);
  void lastfm_disconnect(std::string_view user_id);

  ListenBrainzStatus listenbrainz_status(std::string_view user_id);
  // Checks the token with ListenBrainz (waits on it), then keeps it.
  ListenBrainzStatus listenbrainz_connect(std::string_view user_id, std::string_view token);
  void listenbrainz_disconnect(std::string_view user_id);

  // Playback events: queue deliveries for the user's connected services; never wait on the network.
  void now_playing(std::string_view user_id, const model::Track& track);
  // A listen that started at `started_at` and lasted `listened_secs`: queued when the rules count it.
  void listened(std::string_view user_id, const model::Track& track, util::Micros started_at, double listened_secs);

  // One pass over the due deliveries; answers how many were attempted.
  std::size_t deliver_due(util::Micros now);

 private:
  void enqueue(std::string_view user_id, std::string_view service, std::string_view kind, const model::Track& t,
               util::Micros at);
  std::optional<std::string> credential(std::string_view user_id, std::string_view service);
  void put_sealed(std::string_view user_id, std::string_view key, std::string_view secret);
  void run();

  ScrobblerOptions options_;
  LastfmClient lastfm_;
  ListenBrainzClient listenbrainz_;
  model::UserSettingsRepository& settings_;
  model::ScrobbleQueueRepository& queue_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool pending_ = false;
  std::function<bool()> on_duty_;
  std::function<void()> on_queued_;
  std::thread thread_;
};

}  // namespace st::scrobble
