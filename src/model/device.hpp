#pragma once
// Devices: a user's own other SoundTime instances, named by P2P NodeId and the user's account name
// there. Two instances that registered each other keep that user's playlists and favorites the same:
// each side sends its state (favorites and playlists by content hash, with what was removed and when),
// and each side merges what it receives, the newest change winning.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

struct Device {
  std::string id, user_id, node_id, remote_username;
  std::optional<std::string> name;
  util::Micros created_at = 0;
  std::optional<util::Micros> last_synced_at;
  std::optional<std::string> last_error;
  std::string username;  // the local account (joined)
};

struct SyncFavorite {
  std::string hash;
  util::Micros at = 0;  // when it was added, or removed
};

struct SyncPlaylist {
  std::string id, name;
  std::optional<std::string> description;
  bool is_public = false;
  util::Micros updated_at = 0;
  std::vector<std::string> hashes;  // in order
};

struct SyncDeletion {
  std::string id;
  util::Micros at = 0;
};

// One user's side of a device sync.
struct DeviceState {
  std::vector<SyncFavorite> favorites, removed_favorites;
  std::vector<SyncPlaylist> playlists;
  std::vector<SyncDeletion> deleted_playlists;
};

struct DeviceSyncCounts {
  int favorites_added = 0, favorites_removed = 0, playlists_created = 0, playlists_updated = 0,
      playlists_deleted = 0, tracks_missing = 0;  // hashes this instance does not hold (left out)
};

class DeviceRepository {
 public:
  virtual ~DeviceRepository() = default;
  virtual std::vector<Device> list(std::string_view user_id) = 0;
  virtual std::vector<Device> all() = 0;
  // False when the user already registered that node.
  virtual bool add(const Device& d) = 0;
  virtual bool remove(std::string_view user_id, std::string_view id) = 0;
  // The device row that lets `node_id`'s `remote_username` sync with our `local_username`.
  virtual std::optional<Device> find(std::string_view node_id, std::string_view local_username,
                                     std::string_view remote_username) = 0;
  virtual void synced(std::string_view id, util::Micros at, const std::optional<std::string>& error) = 0;

  virtual DeviceState state(std::string_view user_id) = 0;
  // Merges another device's state into the user's, in one transaction.
  virtual DeviceSyncCounts merge(std::string_view user_id, const DeviceState& incoming, util::Micros now) = 0;
};

}  // namespace st::model
