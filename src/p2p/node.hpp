#pragma once
// The P2P node: identity, links, the peer table, catalogue sync in both directions, and verified blob
// transfer. Runs its own threads (I/O, request handlers, a maintenance loop); the API talks to it
// through library::P2pService.
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/identity.hpp"
#include "library/cover_store.hpp"
#include "library/p2p_service.hpp"
#include "model/catalog.hpp"
#include "model/device.hpp"
#include "model/p2p.hpp"
#include "model/track_health.hpp"
#include "p2p/blob_store.hpp"
#include "p2p/device_sync.hpp"
#include "p2p/protocol/messages.hpp"
#include "p2p/lan_discovery.hpp"
#include "p2p/peer_exchange.hpp"
#include "p2p/reach/address_book.hpp"
#include "p2p/reach/address_scope.hpp"
#include "p2p/reach/signal.hpp"
#include "p2p/replicator.hpp"
#include "p2p/search_index.hpp"
#include "p2p/transport/transport.hpp"

namespace st::p2p {

namespace dht {
class DhtClient;
struct NodeRecord;
}  // namespace dht
namespace portmap {
class PortMapper;
}

// A TURN relay; without a username, credentials come from the shared secret (TURN REST API).
struct TurnConfig {
  std::string host;
  std::uint16_t port = 3478;
  std::string username, password;
};

// An HTTP call made for the node by the application (p2p has no HTTP client of its own): the status and
// body of the answer; throws std::exception when none came.
struct HttpAnswer {
  long status = 0;
  std::string body;
};
using HttpCall = std::function<HttpAnswer(const std::string& method, const std::string& url, const std::string& body)>;

// How peers behind NATs are reached (docs/p2p-protocol.md §12). Every network feature here is off
// unless configured: the application turns the DHT and port mapping on by default for real deployments.
struct ReachOptions {
  bool dht = false;
  std::vector<std::string> dht_bootstrap;  // host:port
  std::uint16_t dht_port = 0;              // UDP, 0 = any
  bool port_mapping = false;
  bool port_mapping_allow_reserved = false;  // lab: a reserved 198.18/15 external address from UPnP
  std::vector<std::string> stun;             // host:port
  std::vector<TurnConfig> turn;
  std::string turn_secret;
  bool rendezvous = false;  // forward signals between any of our linked peers (a public instance)
  std::chrono::seconds path_upgrade_interval{300};  // how often a relayed link looks for a direct path (0: never)
  std::vector<std::string> pkarr_relays;  // base URLs of pkarr relays (records over HTTP where UDP is blocked)
  HttpCall http;                          // for the relays
};

struct NodeOptions {
  std::string bind_host = "0.0.0.0";
  std::uint16_t bind_port = 11204;
  std::vector<std::string> seed_peers;  // NodeId or NodeId@host:port
  std::string key_path;
  std::string blobs_dir;
  std::string library_outboard_dir;
  std::uint64_t cache_max_bytes = 2ull << 30;
  std::chrono::seconds sync_interval{60};       // how often each online peer is pinged and pulled from
  std::chrono::seconds max_backoff{600};        // retry delay cap for unreachable peers
  std::chrono::milliseconds request_timeout{30000};
  std::string version;
  int strikes_before_block = 3;
  // Sharing policy: an open mesh (with the block list), or only these NodeIds may link, sync or fetch.
  bool friends_only = false;
  std::set<std::string> friends;
  TransportLimits limits;
  std::chrono::seconds pex_interval{300};  // peer exchange and the periodic Bloom filter resend
  std::size_t search_max_peers = 10;       // peers asked by one distributed search
  std::chrono::milliseconds search_timeout{10000};
  std::vector<std::string> advertise_addresses;  // host:port in our signed record (default: bind address)
  std::string peer_records_path;                 // where learned records are kept ("" = memory only)
  std::size_t pex_new_records_per_round = 8;     // unknown nodes taken from one peer per pex_interval
  // Quotas on what other nodes may cost us. An unknown node that links to us is kept in memory (at most
  // pending_peers of them, least recent dropped) and becomes a peer row only once contacting it back
  // succeeded, while there are fewer than max_peers rows.
  std::size_t max_peers = 256;
  std::size_t pending_peers = 64;
  std::size_t push_tracks_per_minute = 2000;     // catalogue changes a peer may push (more are pulled later)
  std::int64_t max_tracks_per_peer = 200000;     // tracks kept from one origin
  std::size_t bloom_max_bytes = 16u << 20;       // peers' search filters, all together
  bool pex_allow_local = false;                  // lab: dial learned loopback/link-local addresses too
  std::string address_book_path;                 // where peers' candidate addresses are kept ("" = memory only)
  ReachOptions reach;
  bool lan_discovery = false;                    // multicast announcements (+ Avahi), off unless configured
  LanOptions lan;
  // Users' own devices whose playlists and favorites are kept in sync (none: device sync is off).
  model::DeviceRepository* devices = nullptr;
  // Track health: replicated copies are checked in batches every health_interval (cheap probes), and
  // their state kept in the database. Without a repository, nothing is checked or recorded.
  model::TrackHealthRepository* health = nullptr;
  std::chrono::seconds health_interval{600};
  std::int64_t health_batch = 500;
  // Where covers of replicated albums are stored (and ours are served from); none: covers not shared.
  library::CoverStore* covers = nullptr;
};

class Node final : public library::P2pService {
 public:
  // Loads or creates the identity and starts listening. Throws on a bad key file or a busy port.
  Node(NodeOptions options, model::P2pRepository& repo, model::CatalogRepository& catalog);
  ~Node() override;
  void stop();
  // The sharing policy from the instance settings (start and change): with sharing off nobody may link or
  // ask anything, in friends mode only opts_.friends; links no longer allowed are closed here.
  void set_policy(bool enabled, bool friends_only);

  const std::string& node_id() const { return identity_.node_id(); }
  std::uint16_t port() const { return transport_->port(); }

  // library::P2pService
  library::P2pStatus status() override;
  std::vector<model::PeerRecord> peers() override;
  library::PeerReach peer_reach(std::string_view node_id) override;
  model::PeerRecord add_peer(std::string_view node_id, std::string_view address) override;
  bool remove_peer(std::string_view node_id) override;
  library::P2pPingResult ping(std::string_view node_id) override;
  std::vector<library::P2pSearchHit> search(std::string_view query, std::size_t limit) override;
  std::int64_t remote_track_count(std::string_view node_id) override { return repo_.remote_track_count(node_id); }
  std::string materialize(std::string_view content_hash, std::chrono::milliseconds max_wait) override;
  std::unique_ptr<library::ProgressiveBlob> open_progressive(std::string_view content_hash) override;
  std::vector<library::DeviceSyncResult> sync_devices(std::string_view user_id) override;
  void start_resync(std::string_view node_id) override;
  library::P2pResyncStatus resync_status() override;
  void dismiss_resync() override;

  // One fetch of a blob, shared by everyone waiting for it or reading it while it arrives.
  struct Download {
    std::string hash, part;
    std::uint64_t size = 0;
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t verified = 0;  // bytes from the start, all checked against the root
    bool done = false;
    std::string path;   // when done without error
    std::string error;  // when done with one
  };

 private:
  Reply handle(const std::string& from, const std::string& ip, const std::string& payload);
  Reply answer_fetch(const FetchTrack& f);
  Reply answer_catalog(const RequestCatalog& r);

  // Sends a message to a peer (dialled when we know its address) and decodes the JSON reply.
  Message call(const std::string& node, const Message& m, std::chrono::milliseconds timeout = {});
  Reply call_raw(const std::string& node, const std::string& payload, std::chrono::milliseconds timeout = {});
  Pong ping_peer(const std::string& node);
  void pull_catalog(const std::string& node);
  // Ping then pull; records the outcome (online/offline, backoff). True when the peer answered.
  bool contact(const std::string& node);
  // Marks a peer offline and schedules the next try with exponential backoff.
  void retry_later(const std::string& node, const std::string& why);

  void maintenance();
  // Pushes our changes since the last push to online peers (they pull them anyway; this makes it prompt).
  void push_changes();
  void want_contact(const std::string& node);
  // Fetches the blob's groups from several holders at once (round robin over the first kSwarm sources, the
  // others in reserve); a failed range is asked again, of a peer that has not failed when there is one
  // (else of the same peer, over a new connection), keeping every range already verified. A peer is
  // dropped after bad data or a second failure. Each peer's first failure is recorded for its copy's
  // health at once. True when every group arrived verified; `served` names the peers whose last answer
  // was a verified range, `failed` those that failed at least once.
  bool download(Download& dl, const std::vector<std::string>& sources, std::set<std::string>& served,
                std::set<std::string>& failed);
  std::shared_ptr<Download> start_download(const std::string& hash);
  void run_download(const std::shared_ptr<Download>& dl);
  void strike(const std::string& node, const std::string& why);
  // Whether a peer may link with us at all: sharing on, not blocked, and a friend in friends mode.
  bool allowed(const std::string& node);
  // The sharing policy alone (no database): sharing on, and a friend in friends mode.
  bool policy_allows(const std::string& node) const;
  // Sends our Bloom filter to a peer unless it has the current one (resent every pex_interval).
  void send_bloom(const std::string& node, bool force);
  void broadcast_bloom();
  // Peer exchange (node_pex.cpp): our offer to a peer, what we take from one, the periodic round, and
  // the pings that verify peers learned this way before they count as online.
  PeerExchange make_pex(const std::string& to, AddressScope to_scope);
  void learn_peers(const std::string& from, AddressScope from_scope, const PeerExchange& px);
  void exchange_peers();
  void verify_learned();
  // Reaching peers (node_reach.cpp): a ladder from known addresses to the DHT record to ICE through a
  // rendezvous; one attempt per peer at a time, at most a few peers at once. Waits up to `wait` for it to
  // end (0: not at all; it goes on in the background); true when linked.
  bool reach(const std::string& node, std::chrono::milliseconds wait);
  bool run_ladder(const std::string& node);
  bool dial_candidates(const std::string& node, std::set<std::string>& tried, std::size_t max, std::string& why);
  std::optional<dht::NodeRecord> resolve(const std::string& node);
  // pkarr relays (node_relay.cpp): our packet put on each, a peer's newest valid one read from them.
  std::size_t put_on_relays(const std::string& relay_body_bytes);
  std::optional<std::string> get_from_relays(const std::string& node);  // the record's DNS packet
  // ICE through `via`; with direct_only, a relayed result is dropped (the link in use stays).
  bool connect_ice(const std::string& node, const std::string& via, std::string& why, bool direct_only = false);
  void upgrade_relayed();
  std::vector<std::string> signal_routes(const std::string& node, const std::optional<dht::NodeRecord>& rec);
  Reply handle_signal(const std::string& from, const Signal& s, const std::string& payload);
  Reply answer_offer(const Signal& s);
  Reply answer_dial_back(const std::string& from, const std::string& ip, const DialBack& d);
  void note_pong(const std::string& node, const Pong& p);
  void start_reach();
  void interrupt_reach();  // at stop: DHT lookups and ICE attempts in flight end at once
  void stop_reach();
  bool stopping() {
    std::lock_guard l(mu_);
    return stopping_;
  }
  void reach_loop();
  bool prove_addresses();  // false when no peer could be asked
  void publish_record();
  // Our addresses for a peer seen from `peer` scope: proven or configured ones that fit its scope.
  std::vector<std::string> own_addresses_for(AddressScope peer);
  void set_unreachable(const std::string& node, std::string why);
  void spawn(std::function<void()> job);  // a tracked background thread (joined at stop)
  library::P2pReachability reachability();

  // LAN discovery (node_lan.cpp): a peer heard on the LAN is proposed for verification like a learned one.
  void start_lan();
  void lan_heard(const std::string& node, const std::string& address, LanVia via);

  // Track health and covers (node_health.cpp).
  enum class Probe { ok, missing, unreachable, bad_data };
  void health_loop();
  void sweep();
  Probe probe(const std::string& node, const std::string& hash);
  // Records the outcome of using a peer's copy of a hash (a fetch or a probe).
  void note_copy(const std::string& node, const std::string& hash, bool ok, bool checked);
  // The peers to fetch a hash from, best copy first (dereferenced and refused peers left out).
  std::vector<std::string> ranked_sources(const std::string& hash);
  void want_cover(const std::string& album_id, const std::string& cover_hash, const std::string& from);
  void fetch_covers();
  // The stored cover with this BLAKE3 hash: what follows /api/media/, or its local file (fetched into the
  // media cache with object storage).
  std::optional<std::string> stored_cover(const std::string& hash);
  std::optional<std::string> cover_file(const std::string& hash);
  // A small blob (a cover) fetched whole, every range verified against the hash; nothing on failure.
  std::optional<std::string> fetch_small_blob(const std::string& node, const std::string& hash, std::uint64_t max_size);
  // Library re-sync (library_resync.cpp).
  void run_resync(const std::string& node);
  void set_resync(const std::function<void(library::P2pResyncStatus&)>& f);

  NodeOptions opts_;
  model::P2pRepository& repo_;
  model::CatalogRepository& catalog_;
  crypto::Identity identity_;
  BlobStore blobs_;
  Replicator replicator_;
  std::unique_ptr<Transport> transport_;
  std::atomic<bool> sharing_on_{true};   // read per admission and request
  std::atomic<bool> friends_only_{false};

  // The count of the tracks we offer, for Pongs and the status: counting a large library on every Ping
  // costs more than the rest of the answer, so it is kept until the catalogue log moves.
  std::uint64_t local_track_count();
  std::mutex count_mu_;
  std::int64_t counted_head_ = -1;  // the catalogue log's head when counted_ was counted
  std::uint64_t counted_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::set<std::string> wanted_;                                            // contact soon
  struct Newcomer {
    std::optional<std::string> address;  // where it said it listens (seen from its IP)
    std::chrono::steady_clock::time_point seen;
  };
  std::map<std::string, Newcomer> newcomers_;  // unknown nodes that linked to us, not peers yet (under mu_)
  void remember_newcomer(const std::string& node, std::optional<std::string> address);
  // Whether an unknown node we contacted may become a peer row (then it does: true), or stays unknown.
  bool admit_newcomer(const std::string& node, const Pong& pong);
  std::map<std::string, std::chrono::steady_clock::time_point> next_try_;  // backoff schedule
  std::map<std::string, std::shared_ptr<Download>> downloads_;             // in flight, by hash
  std::size_t download_threads_ = 0;                                        // running (joined at stop)
  std::recursive_mutex sync_mu_;  // one catalogue pull at a time (a re-sync resets the cursor under it)
  std::int64_t pushed_change_ = -1;  // change-log position already pushed (maintenance thread)
  std::unique_ptr<DeviceSyncer> device_sync_;
  std::chrono::steady_clock::time_point next_device_sync_{};
  std::thread maintenance_;
  std::thread health_;
  struct CoverJob {
    std::string album_id, hash, from;
  };
  std::map<std::string, CoverJob> covers_wanted_;  // by album (under mu_)
  std::mutex resync_mu_;
  library::P2pResyncStatus resync_;
  std::thread resync_thread_;
  SearchIndex search_index_{opts_.bloom_max_bytes};
  RateLimiter push_rate_{static_cast<int>(std::max<std::size_t>(opts_.push_tracks_per_minute, 1)),
                         std::chrono::milliseconds(60000) /
                             static_cast<long>(std::max<std::size_t>(opts_.push_tracks_per_minute, 1))};
  // Why a catalogue push of n changes from `from` is refused; nothing when it is taken.
  std::optional<Reply> refuse_push(const std::string& from, std::size_t n);
  std::map<std::string, std::pair<std::uint64_t, std::chrono::steady_clock::time_point>> bloom_sent_;  // under mu_
  std::atomic<std::uint64_t> ranges_served_{0};
  std::atomic<std::uint64_t> searches_answered_{0}, searches_sent_{0}, search_peers_asked_{0}, search_peers_skipped_{0};
  PeerRecordBook records_{opts_.peer_records_path};
  std::map<std::string, SignedPeerRecord> to_verify_;  // learned, not yet pinged (under mu_)
  std::map<std::string, std::vector<std::string>> to_verify_dial_;  // their addresses we may dial (under mu_)
  // Unknown nodes a peer may have us ping: pex_new_records_per_round per pex_interval, by the sender.
  RateLimiter pex_new_rate_{static_cast<int>(std::max<std::size_t>(opts_.pex_new_records_per_round, 1)),
                            std::chrono::duration_cast<std::chrono::milliseconds>(opts_.pex_interval) /
                                static_cast<long>(std::max<std::size_t>(opts_.pex_new_records_per_round, 1))};
  std::size_t pex_next_ = 0;                            // round-robin start (maintenance thread)
  std::chrono::steady_clock::time_point next_pex_{};
  std::unique_ptr<LanDiscovery> lan_;

  // Reachability (node_reach.cpp).
  AddressBook book_{opts_.address_book_path};
  std::unique_ptr<dht::DhtClient> dht_;
  std::unique_ptr<portmap::PortMapper> portmap_;
  NonceCache signal_nonces_;
  RateLimiter signal_rate_{6, std::chrono::seconds(10)};
  RateLimiter dial_back_rate_{2, std::chrono::seconds(30)};
  std::atomic<int> signals_in_flight_{0}, ice_answering_{0}, dial_backs_running_{0};
  std::atomic<std::uint64_t> signals_forwarded_{0}, signals_dropped_{0}, dht_lookups_{0}, dht_rejected_{0};
  std::mutex reach_mu_;
  std::condition_variable reach_cv_;
  std::map<std::string, std::shared_future<bool>> reaching_;     // ladders running, by peer
  std::map<std::string, std::string> unreachable_;               // why, by peer (cleared when linked)
  struct Resolved {
    std::shared_ptr<dht::NodeRecord> record;  // null: looked up, nothing found
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Resolved> resolved_;
  std::map<std::string, std::string> observed_by_;  // the IP each peer sees us at (its Pong)
  std::set<std::string> rendezvous_capable_;        // peers whose Pong offers forwarding
  std::vector<std::string> proven_;                 // our addresses a peer dialled back
  std::set<std::string> disproven_;                 // ...and those a peer could not (last round)
  std::uint64_t prove_wanted_ = 1, proved_ = 0;     // proof rounds asked for (a change) and done
  std::chrono::steady_clock::time_point next_prove_{}, next_publish_{};
  std::string published_text_;                      // what the DHT holds of us (to republish on change)
  std::int64_t last_publish_ = 0;
  std::size_t last_publish_stored_ = 0;
  std::size_t last_relay_publishes_ = 0;            // relays that took our last publish
  std::size_t threads_running_ = 0;                 // spawn()ed, under reach_mu_
  std::map<std::string, std::chrono::steady_clock::time_point> next_upgrade_;  // relayed links: next try
  std::set<std::string> upgrading_;
  std::thread reach_thread_;
};

}  // namespace st::p2p
