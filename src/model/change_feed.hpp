#pragma once
// What one node changes that the other nodes on the same database keep in memory and vouch for access
// with (several nodes on one PostgreSQL): settings, sessions, where tracks' files are; and work queued for
// the node that does it (scrobbles). Each node publishes
// its own changes and hears everyone's, its own included. On SQLite there is one node: no feed at all.
#include <functional>
#include <string_view>

namespace st::model {

namespace change_topic {
inline constexpr std::string_view settings = "settings";  // key: the setting
inline constexpr std::string_view sessions = "sessions";  // sessions ended (logout, ban, password change...)
inline constexpr std::string_view tracks = "tracks";      // key: a track id deleted or given another file
inline constexpr std::string_view scrobbles = "scrobbles";  // something queued for Last.fm/ListenBrainz
inline constexpr std::string_view everything = "*";       // heard after a lost connection: drop every cache
}  // namespace change_topic

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Tells every node. Never throws: a node that cannot reach the database has changed nothing either.
  virtual void publish(std::string_view topic, std::string_view key) = 0;
  // The one listener, called on the feed's own thread; set it before changes can arrive.
  virtual void listen(std::function<void(std::string_view topic, std::string_view key)> listener) = 0;
};

}  // namespace st::model
