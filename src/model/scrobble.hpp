#pragma once
// Scrobbling to Last.fm and ListenBrainz: per-user settings (credentials sealed by the service that
// writes them) and a persistent queue of deliveries, drained by a background worker.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

// A user's own settings (table user_settings): small text values under fixed keys.
class UserSettingsRepository {
 public:
  virtual ~UserSettingsRepository() = default;
  virtual std::optional<std::string> get(std::string_view user_id, std::string_view key) = 0;
  virtual void put(std::string_view user_id, std::string_view key, std::string_view value) = 0;
  // Removes every key of the user starting with prefix ("lastfm_").
  virtual void erase_prefix(std::string_view user_id, std::string_view prefix) = 0;
};

// One delivery waiting: a listen (scrobble) or a now-playing notice, for one service.
struct ScrobbleItem {
  std::string id;
  std::string user_id;
  std::string service;  // "lastfm" or "listenbrainz"
  std::string kind;     // "listen" or "now_playing"
  std::string artist, track;
  std::optional<std::string> album;
  double duration_secs = 0;
  util::Micros listened_at = 0;  // when the listen started (now-playing: when it was announced)
  int attempts = 0;
  util::Micros next_attempt_at = 0;
  util::Micros created_at = 0;
};

class ScrobbleQueueRepository {
 public:
  virtual ~ScrobbleQueueRepository() = default;
  // Adds the item, then removes the oldest items of that user and service beyond `cap`; answers how many
  // were removed. A now-playing notice replaces the user's earlier one for that service.
  virtual std::size_t push(const ScrobbleItem& item, std::size_t cap) = 0;
  // Items whose next attempt is due, oldest first; none that a service's older item, not yet due, holds back.
  virtual std::vector<ScrobbleItem> due(util::Micros now, std::size_t limit) = 0;
  // The earliest next attempt of any item, if any.
  virtual std::optional<util::Micros> next_due() = 0;
  virtual void remove(std::string_view id) = 0;
  virtual void reschedule(std::string_view id, int attempts, util::Micros next_attempt_at) = 0;
  // Every item of the user for that service (on disconnect); answers how many.
  virtual std::size_t drop(std::string_view user_id, std::string_view service) = 0;
  virtual std::size_t pending(std::string_view user_id, std::string_view service) = 0;
};

}  // namespace st::model
