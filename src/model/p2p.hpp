#pragma once
// What the peer-to-peer layer stores: known peers (with the per-peer catalogue cursor), the log of local
// catalogue changes that peers pull from, replicated ("remote") tracks, and blocked peers.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.hpp"

namespace st::model {

struct PeerRecord {
  std::string node_id;
  std::optional<std::string> name;
  std::optional<std::string> version;
  std::int64_t track_count = 0;  // tracks the peer offers (its last Pong)
  bool is_online = false;
  util::Micros last_seen_at = 0;
  util::Micros created_at = 0;
  std::optional<std::string> address;  // host:port we can dial
  std::int64_t sync_cursor = 0;        // the peer's change-log position we have applied up to
  int failures = 0;                    // consecutive failed contacts (backoff)
  int strikes = 0;                     // bad data received (blocked after a few)
};

// One entry of a page of our changes: a track to offer (upsert) or a hash no longer offered.
struct CatalogChange {
  std::int64_t seq = 0;
  std::optional<Track> track;  // joined: artist_name, album_title; album artist in album_artist_name
  std::optional<std::string> album_artist_name;
  std::string removed_hash;    // set when track is empty
};

struct CatalogChangePage {
  std::vector<CatalogChange> changes;
  std::int64_t next_cursor = 0;
  bool has_more = false;
};

struct RemoteTrackRecord {
  std::string id;
  std::optional<std::string> local_track_id;
  std::string title, artist_name;
  std::optional<std::string> album_title;
  std::string origin_node;  // stored as instance_domain p2p://<node>
  std::string hash;         // the copy is (hash, origin_node): one row per peer and hash
  std::optional<int> bitrate, sample_rate;
  std::optional<std::string> format;
  bool is_available = true;
  util::Micros created_at = 0;
};

// A file we can serve for a hash: a local track's file.
struct LocalBlob {
  std::string path;
  std::int64_t size = 0;
};

// A track already holding some bytes.
struct KnownHash {
  std::string track_id;
  bool replica = false;  // file_path p2p://
};

class P2pRepository {
 public:
  virtual ~P2pRepository() = default;

  virtual std::vector<PeerRecord> list_peers() = 0;
  virtual std::optional<PeerRecord> find_peer(std::string_view node_id) = 0;
  // Creates the peer or updates version/track_count/address (when given; a negative track_count keeps
  // the known one) and marks it online.
  virtual void peer_seen(std::string_view node_id, std::optional<std::string> version, std::int64_t track_count,
                         std::optional<std::string> address) = 0;
  // Adds a peer we were told about (seed, admin) without contacting it; keeps what is known. An empty
  // address leaves the stored one (a NodeId alone is found later).
  virtual void add_peer(std::string_view node_id, std::string_view address) = 0;
  virtual void peer_failed(std::string_view node_id) = 0;  // offline, failures + 1
  virtual bool remove_peer(std::string_view node_id) = 0;
  virtual void set_sync_cursor(std::string_view node_id, std::int64_t cursor) = 0;
  // Strikes + 1; returns the new count.
  virtual int strike_peer(std::string_view node_id) = 0;
  virtual void mark_all_offline() = 0;

  virtual bool is_blocked(std::string_view node_id) = 0;
  virtual void block(std::string_view node_id, std::string_view reason) = 0;

  // Our changes after `cursor` (local tracks with a content hash only), at most `limit` log entries.
  virtual CatalogChangePage changes_since(std::int64_t cursor, std::int64_t limit) = 0;
  virtual std::int64_t local_track_count() = 0;
  // The newest change-log position (0 when empty).
  virtual std::int64_t latest_change() = 0;
  // f(title, artist name, album title or "") for every track we offer peers (local, with a content hash), read
  // in pages: what the search filter announces (p2p/search_index.cpp).
  virtual void for_each_offered_name(
      const std::function<void(const std::string&, const std::string&, const std::string&)>& f) = 0;
  virtual std::optional<LocalBlob> local_blob(std::string_view hash) = 0;

  // The tracks holding each of these hashes (the oldest per hash); absent hashes are not in the map.
  virtual std::map<std::string, KnownHash> tracks_with_hashes(const std::vector<std::string>& hashes) = 0;

  // Whether two transactions can write at once (PostgreSQL). SQLite has one writer, and another connection's
  // commit empties a connection's page cache: a pull then applies its batches one step after the other.
  virtual bool writes_in_parallel() = 0;

  virtual void upsert_remote_track(const RemoteTrackRecord& r) = 0;
  // Many in one transaction.
  virtual void upsert_remote_tracks(const std::vector<RemoteTrackRecord>& records) = 0;
  // Removes the origin's copy; returns the number of copies of that hash still known from any peer.
  virtual std::int64_t remove_remote_track(std::string_view origin_node, std::string_view hash) = 0;
  // Peers known to hold a hash, available first.
  virtual std::vector<RemoteTrackRecord> remote_copies(std::string_view hash) = 0;
  virtual std::int64_t remote_track_count(std::string_view origin_node) = 0;
};

}  // namespace st::model
