#pragma once
// Health of replicated copies: each copy (a peer holding a hash, one remote_tracks row) is healthy,
// recovered (works again after failing), degraded (some consecutive failures) or dereferenced (after
// kMaxFailedAttempts failures, or by an administrator). Automatic checks never undo an administrator's
// dereference; content that comes back re-references an automatically dereferenced copy.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

enum class CopyHealth { healthy, recovered, degraded, dereferenced };

std::string_view to_string(CopyHealth h);
std::optional<CopyHealth> parse_copy_health(std::string_view s);

inline constexpr int kMaxFailedAttempts = 3;

struct CopyState {
  CopyHealth health = CopyHealth::healthy;
  int failed_attempts = 0;          // consecutive
  bool admin_dereferenced = false;  // set and cleared only by an administrator
  bool is_available = true;         // offered as a source (remote_tracks.is_available)

  bool operator==(const CopyState&) const = default;
};

// The transitions (pure, so that the sweep, downloads and the admin API agree).
CopyState after_failure(CopyState s);
CopyState after_success(CopyState s);
CopyState after_admin_dereference(CopyState s);
CopyState after_admin_rereference(CopyState s);

// A replicated copy as the health layer and the admin list see it.
struct RemoteCopy {
  std::string id;
  std::optional<std::string> local_track_id;
  std::string title, artist_name;
  std::optional<std::string> album_title;
  std::string origin_node;  // instance_domain p2p://<node>
  std::string hash;
  std::optional<int> bitrate;  // kbps
  std::optional<int> sample_rate;
  std::optional<std::string> format;
  CopyState state;
  std::optional<util::Micros> last_checked_at;
  std::optional<util::Micros> last_failure_at;
  util::Micros created_at = 0;
};

// One copy of a song, local or on a peer, for choosing the best one.
struct SongCopy {
  std::string source;  // "local" or "p2p://<node>"
  std::string track_id;
  std::string hash;
  std::string format;
  std::optional<int> bitrate;  // kbps
  std::optional<int> sample_rate;
  bool online = true;     // local copies are always reachable
  bool available = true;  // not dereferenced
  int failed_attempts = 0;
  util::Micros created_at = 0;
};

// The replicated copies held from one origin (instance_domain "p2p://<node>").
struct OriginCount {
  std::string domain;
  std::int64_t track_count = 0;
};

class TrackHealthRepository {
 public:
  virtual ~TrackHealthRepository() = default;
  // The newest copies first (the admin list).
  virtual std::vector<RemoteCopy> list_copies(std::int64_t limit) = 0;
  virtual std::optional<RemoteCopy> find_copy(std::string_view id) = 0;
  // Copies per origin, the largest first (the admin's instances list).
  virtual std::vector<OriginCount> copies_by_origin() = 0;
  // A batch for the periodic sweep: copies checked longest ago (or never) first.
  virtual std::vector<RemoteCopy> least_recently_checked(std::int64_t limit) = 0;
  virtual std::optional<RemoteCopy> find_copy_of(std::string_view origin_node, std::string_view hash) = 0;
  // Applies a transition to the stored state atomically (retried when the row changed meanwhile, so an
  // administrator's decision taken during a slow check is not overwritten); sets last_checked_at when
  // `checked`. Returns the new state, or nothing when the copy is gone.
  virtual std::optional<CopyState> update_state(std::string_view id, CopyState (*transition)(CopyState), bool checked) = 0;
  // Every copy of a track's song: its own bytes anywhere, and other files with the same title and artist
  // (case-insensitive) and a duration within 3 s; local tracks included. Peers' online flags joined.
  virtual std::vector<SongCopy> song_copies(std::string_view track_id) = 0;
};

}  // namespace st::model
