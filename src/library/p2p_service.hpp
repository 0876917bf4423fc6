#pragma once
// What the REST API may ask of the peer-to-peer node (implemented in src/p2p, wired in app/), so routes
// never depend on the P2P layer itself.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/device.hpp"
#include "model/p2p.hpp"

namespace st::library {

// How this node can be reached (docs/p2p-protocol.md §12): addresses proven by a dial-back and published,
// port mapping, the DHT, rendezvous and relays.
struct P2pReachability {
  std::vector<std::string> published_addresses, proven_addresses;
  bool port_mapping_enabled = false, port_mapping_active = false, double_nat = false;
  std::string port_mapping_protocol, port_mapping_external, port_mapping_error;
  bool dht_enabled = false;
  std::size_t dht_routing_table_size = 0, dht_last_publish_stored = 0;
  std::int64_t dht_last_publish = 0;  // µs, 0 = never
  std::uint64_t dht_records_rejected = 0, dht_lookups = 0, dht_messages_dropped = 0;
  bool rendezvous_offered = false;
  std::vector<std::string> rendezvous_peers, stun_servers, turn_servers;
  std::uint64_t signals_forwarded = 0, signals_dropped = 0;
  std::vector<std::string> pkarr_relays;
  std::size_t relay_publishes = 0;  // relays that took our last publish
};

// How we reach one peer: the path of the link in use ("direct_tcp", "ice_direct", "turn_relay", "" when
// none), why it is unreachable when it is, and the addresses we may dial it at.
struct PeerCandidate {
  std::string address, source;
  std::int64_t last_ok = 0;  // µs, 0 = never
};
struct PeerReach {
  std::string path, reason;
  std::vector<PeerCandidate> candidates;
};

struct P2pStatus {
  std::string node_id;
  std::uint16_t port = 0;
  std::size_t peer_count = 0, online_peer_count = 0, connections = 0;
  std::int64_t local_track_count = 0;
  std::uint64_t cache_bytes = 0, cache_max_bytes = 0;
  // Distributed search: SearchQuery answered for peers; searches we ran and the peers they asked or
  // skipped because their Bloom filter could not match; peers' filters held; terms in ours.
  std::uint64_t searches_answered = 0, searches_sent = 0, search_peers_asked = 0, search_peers_skipped = 0;
  std::size_t peer_filters = 0;
  std::uint64_t bloom_terms = 0;
  // LAN discovery: running, published through Avahi too, announcements sent and (valid, new) heard,
  // other nodes' mDNS services resolved through Avahi (counted at each browse).
  bool lan_discovery = false, mdns = false;
  std::uint64_t lan_announcements_sent = 0, lan_announcements_heard = 0, mdns_services_heard = 0;
  // Verified ranges of blobs served to peers (FetchTrack answered with data).
  std::uint64_t ranges_served = 0;
  P2pReachability reach;
};

struct P2pPingResult {
  bool ok = false;
  std::string message;  // "pong received: ..." or "ping failed: ..."
};

// A track found on a peer by a distributed search (the original's SearchResultItem).
struct P2pSearchHit {
  std::string hash, title, artist_name;
  std::optional<std::string> album_title;
  double duration_secs = 0;
  std::string format;
  std::optional<std::string> genre;
  std::optional<int> year, bitrate;
  std::string source_node;
  std::optional<std::string> musicbrainz_id;
  double relevance = 0;
};

// The administrator's library re-sync with one peer (one at a time), as the original reports it.
struct P2pResyncStatus {
  std::string status = "idle";  // idle, running, completed, error
  std::string peer_id;
  std::string phase;  // while running
  std::int64_t processed = 0;
  std::optional<std::int64_t> total;
  std::int64_t tracks_synced = 0;  // when completed: copies we hold from the peer
  double duration_secs = 0;
  std::string message;  // when error
};

// The bytes of a replicated track as they arrive, each 16 KiB group verified before it can be read.
class ProgressiveBlob {
 public:
  virtual ~ProgressiveBlob() = default;
  virtual std::uint64_t size() const = 0;
  // Blocks until verified bytes are available; 0 at the end. Throws std::runtime_error when the
  // download fails before the end.
  virtual std::size_t read(char* buf, std::size_t n) = 0;
  // The same bytes where they lie, for sending them without copying: the descriptor of the file they are
  // written to (owned by this object, valid while it lives) and how many bytes from `pos` on are verified.
  // With `wait`, blocks until at least one is (0 then means the end); without, never blocks (0: none yet).
  // Throws like read().
  struct FileWindow {
    int fd = -1;
    std::uint64_t length = 0;
  };
  virtual FileWindow file_window(std::uint64_t pos, bool wait) = 0;
};

// The outcome of syncing a user's playlists and favorites with one of their devices.
struct DeviceSyncResult {
  std::string device_id, node_id;
  bool ok = false;
  std::string error;
  model::DeviceSyncCounts received;  // what the other side's state changed here
};

class P2pService {
 public:
  virtual ~P2pService() = default;
  virtual P2pStatus status() = 0;
  virtual std::vector<model::PeerRecord> peers() = 0;
  virtual PeerReach peer_reach(std::string_view node_id) = 0;
  // Adds (and contacts) a peer given as a NodeId alone (found through its records, the DHT or a
  // rendezvous), "NodeId@host:port", or a NodeId and "host:port".
  // Throws model::DomainError (bad_request for a malformed address, conflict for a blocked or own id).
  virtual model::PeerRecord add_peer(std::string_view node_id, std::string_view address) = 0;
  virtual bool remove_peer(std::string_view node_id) = 0;
  virtual P2pPingResult ping(std::string_view node_id) = 0;
  // Asks every online peer at once (each within a timeout); merged best first, one hit per hash.
  virtual std::vector<P2pSearchHit> search(std::string_view query, std::size_t limit) = 0;
  // Replicated tracks we hold from a peer (remote_tracks rows of its origin).
  virtual std::int64_t remote_track_count(std::string_view node_id) = 0;
  // The local file holding a replicated track's bytes, fetched from peers and verified first when
  // needed. Throws model::DomainError (unavailable) when no peer can provide it, or when it is not here
  // within max_wait (then with a retry_after_seconds: the fetch goes on, so that a later call finds it).
  virtual std::string materialize(std::string_view content_hash, std::chrono::milliseconds max_wait) = 0;
  // Starts (or joins) fetching a replicated track and reads it while it arrives; nothing when its bytes
  // are already here (use materialize()). Throws model::DomainError like materialize().
  virtual std::unique_ptr<ProgressiveBlob> open_progressive(std::string_view content_hash) = 0;
  // Syncs a user's playlists and favorites with their registered devices now (they also sync on their own
  // every sync interval).
  virtual std::vector<DeviceSyncResult> sync_devices(std::string_view user_id) = 0;

  // Starts a full re-sync with a known peer in the background (ping, our catalogue pushed, its catalogue
  // pulled again from the start). Throws model::DomainError: not_found (unknown peer), conflict (one runs).
  virtual void start_resync(std::string_view node_id) = 0;
  virtual P2pResyncStatus resync_status() = 0;
  virtual void dismiss_resync() = 0;
};

}  // namespace st::library
