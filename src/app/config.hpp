#pragma once
// Configuration: read once from the environment (the original's variable names), then overridden by
// command-line flags, then validated with messages that say what to change.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace st::app {

struct Config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;
  std::string data_dir = "./data";
  std::string database_url;        // default sqlite://<data_dir>/soundtime.db
  std::string audio_storage_path;  // default <data_dir>/music
  // Object storage for uploads (STORAGE_BACKEND=s3; the original's names). Keys are the paths uploads would
  // have under AUDIO_STORAGE_PATH, after S3_PREFIX. S3_ENDPOINT empty: AWS's regional endpoint.
  bool storage_s3 = false;
  std::string s3_endpoint, s3_bucket, s3_region = "us-east-1", s3_access_key, s3_secret_key, s3_prefix;
  bool s3_path_style = true;           // S3_PATH_STYLE (false: bucket.endpoint virtual-hosted addressing)
  bool s3_presigned_redirect = false;  // S3_PRESIGNED_REDIRECT: originals answered with a redirect to the store
  unsigned s3_presigned_seconds = 3600;  // S3_PRESIGNED_EXPIRY_SECONDS
  unsigned s3_abandoned_upload_hours = 24;  // S3_ABANDONED_UPLOAD_HOURS: older unfinished uploads are aborted at start
  bool s3_create_bucket = false;       // S3_CREATE_BUCKET: make the bucket at start when it is absent
  std::string s3_cache_path;           // S3_CACHE_PATH, default <data_dir>/s3-cache
  std::uint64_t s3_cache_bytes = 2ull << 30;  // S3_CACHE_MAX_SIZE
  std::vector<std::string> music_folders;
  std::string jwt_secret;          // default: generated once into <data_dir>/secret
  std::string domain = "localhost:8080";
  // Lyrics providers' base URLs (LYRICS_MUSIXMATCH_URL, LYRICS_LYRICSCOM_URL); empty: the real services.
  std::string lyrics_musixmatch_url;
  std::string lyrics_lyricscom_url;
  // Public directory listing: the directory when the listing_url setting is empty (LISTING_URL), and the
  // heartbeat interval (LISTING_INTERVAL_SECONDS, 300 as the original) and the delay of the first after start.
  std::string listing_url;
  unsigned listing_interval_seconds = 300;
  unsigned listing_first_delay_seconds = 10;  // LISTING_FIRST_DELAY_SECONDS
  // Web themes: where they are installed (THEME_DIR, default <data_dir>/themes), their size limit
  // (THEME_MAX_SIZE_MB), the CA certificates trusted for git clones (THEME_GIT_CA_FILE, PEM; empty: the
  // system's) and, for tests only, clones from loopback and private hosts (THEME_ALLOW_PRIVATE_HOSTS).
  std::string theme_dir;
  unsigned theme_max_size_mb = 20;
  std::string theme_git_ca_file;
  bool theme_allow_private_hosts = false;
  unsigned theme_install_rate_burst = 5;  // THEME_INSTALL_RATE_BURST: installs at once per client, then 1 per 12 s
  // Scrobbling: Last.fm application credentials (LASTFM_API_KEY, LASTFM_API_SECRET) and the services' URLs
  // (LASTFM_API_URL, LASTFM_AUTH_URL, LISTENBRAINZ_API_URL; tests point them at a local stand-in).
  std::string lastfm_api_key, lastfm_api_secret;
  std::string lastfm_api_url = "https://ws.audioscrobbler.com/2.0/";
  std::string lastfm_auth_url = "https://www.last.fm/api/auth/";
  std::string listenbrainz_api_url = "https://api.listenbrainz.org";
  unsigned scrobble_retry_seconds = 30;  // SCROBBLE_RETRY_SECONDS: first retry delay, doubling up to an hour
  unsigned scrobble_idle_check_seconds = 60;  // SCROBBLE_IDLE_CHECK_SECONDS: longest wait between looks at the queue
  unsigned scrobble_queue_max = 10'000;  // SCROBBLE_QUEUE_MAX: waiting deliveries per user and service
  // MusicBrainz enrichment: the least time between two requests (MUSICBRAINZ_MIN_INTERVAL_MS; never under
  // 1000 against the public services) and how often new tracks are looked at when the
  // metadata_auto_enrich setting is on (METADATA_ENRICH_INTERVAL_SECONDS).
  unsigned musicbrainz_min_interval_ms = 1000;
  unsigned metadata_enrich_interval_seconds = 900;
  // Seconds after start before missing waveforms are computed in the background (WAVEFORM_BACKFILL_DELAY_SECONDS).
  unsigned waveform_backfill_delay_seconds = 30;
  std::string scheme = "https";
  std::vector<std::string> cors_origins;
  std::vector<std::string> trusted_proxies;
  std::string log_level = "info";
  std::string web_root;  // built web app; default web/build beside the binary's source tree
  unsigned network_threads = 0;  // 0: number of cores
  unsigned worker_threads = 0;   // 0: 4 × cores, at least 8
  std::size_t db_pool_size = 0;  // 0: engine default
  std::size_t max_body_mb = 2;
  // Several nodes on one PostgreSQL: this node's name in /api/admin/cluster and the logs (CLUSTER_NODE_NAME,
  // default <hostname>:<port>), and how often a node that does not lead tries to (CLUSTER_CHECK_SECONDS).
  std::string cluster_node_name;
  // Where the other nodes reach this one's HTTP port (CLUSTER_NODE_URL, default http://<HOST or the
  // hostname>:<port>): a follower fetches replicated tracks from the leader there.
  std::string cluster_node_url;
  unsigned cluster_check_seconds = 2;
  unsigned http_header_timeout_seconds = 30;          // HTTP_HEADER_TIMEOUT_SECONDS: a new connection's first headers
  unsigned http_body_idle_timeout_seconds = 30;       // HTTP_BODY_IDLE_TIMEOUT_SECONDS: a body stalled this long is cut
  unsigned http_max_connections_per_ip = 256;         // HTTP_MAX_CONNECTIONS_PER_IP (trusted proxies exempt)
  unsigned http_network_waits_max = 0;  // HTTP_NETWORK_WAITS_MAX: per kind of network wait; 0: workers / 4, at least 2
  // AI editorial playlists: the scheduler's period (EDITORIAL_CHECK_SECONDS, 0: only on demand), its first check
  // after start (EDITORIAL_FIRST_CHECK_SECONDS), and the AI service's timeout per attempt (AI_TIMEOUT_SECONDS).
  unsigned editorial_check_seconds = 6 * 3600;
  unsigned editorial_first_check_seconds = 30;
  unsigned ai_timeout_seconds = 120;
  std::uint64_t http_max_body_bytes_per_ip = 32ull << 20;  // HTTP_MAX_BODY_BYTES_PER_IP: in-memory bodies at once
  double auth_rate_burst = 10;           // AUTH_RATE_LIMIT_BURST
  double auth_rate_refill_seconds = 6;   // AUTH_RATE_LIMIT_REFILL_SECONDS
  bool production = false;
  std::uint64_t transcode_cache_bytes = 2ull << 30;  // TRANSCODE_CACHE_MAX_SIZE
  unsigned max_transcodes = 0;                       // MAX_TRANSCODES; 0: 2 per core
  unsigned scan_interval_minutes = 60;               // SCAN_INTERVAL_MINUTES; 0: only on demand
  bool watch_music_folders = true;                   // WATCH_MUSIC_FOLDERS: rescan on inotify events
  // Peer-to-peer: off unless P2P_ENABLED=true.
  bool p2p_enabled = false;
  std::string p2p_bind_host = "0.0.0.0";             // P2P_BIND_HOST
  std::uint16_t p2p_port = 11204;                    // P2P_BIND_PORT (0: any free port)
  std::vector<std::string> p2p_seed_peers;           // P2P_SEED_PEERS: NodeId or NodeId@host:port, comma-separated
  std::string p2p_key_path;                          // P2P_SECRET_KEY_PATH, default <data>/p2p/secret_key
  std::string p2p_blobs_dir;                         // P2P_BLOBS_DIR, default <data>/p2p/blobs
  std::uint64_t p2p_cache_bytes = 2ull << 30;        // P2P_CACHE_MAX_SIZE
  unsigned p2p_sync_interval_seconds = 60;           // P2P_SYNC_INTERVAL_SECONDS
  unsigned p2p_health_interval_seconds = 600;        // P2P_HEALTH_INTERVAL_SECONDS: track health sweep
  unsigned p2p_request_timeout_seconds = 30;         // P2P_REQUEST_TIMEOUT_SECONDS: a peer's time to answer one request
  bool p2p_friends_only = false;                     // P2P_SHARING_MODE=friends (default open)
  std::vector<std::string> p2p_friends;              // P2P_FRIENDS: NodeIds allowed in friends mode
  unsigned p2p_pex_interval_seconds = 300;           // P2P_PEX_INTERVAL_SECONDS: peer exchange and filter resend
  // Quotas on what other nodes may cost us (issue 17, item 10 and 12).
  unsigned p2p_max_peers = 256;                      // P2P_MAX_PEERS: peer rows a node may gain without an admin
  unsigned p2p_pending_peers = 64;                   // P2P_PENDING_PEERS: unknown nodes kept in memory meanwhile
  unsigned p2p_push_tracks_per_minute = 2000;        // P2P_PUSH_TRACKS_PER_MINUTE: pushed tracks taken per peer
  unsigned p2p_max_tracks_per_peer = 200000;         // P2P_MAX_TRACKS_PER_PEER: tracks kept from one origin
  std::uint64_t p2p_bloom_max_bytes = 16ull << 20;   // P2P_BLOOM_MAX_SIZE: peers' search filters in memory
  unsigned p2p_pex_records_per_round = 8;            // P2P_PEX_RECORDS_PER_ROUND: unknown nodes pinged per peer
  std::vector<std::string> p2p_advertise_addresses;  // P2P_ADVERTISE_ADDRESSES: host:port, comma-separated
  bool p2p_lan_discovery = false;                    // P2P_LAN_DISCOVERY: multicast announcements (+ Avahi)
  bool p2p_lan_multicast = true;                     // P2P_LAN_MULTICAST: false = mDNS (Avahi) only
  std::string p2p_lan_group = "239.255.41.204:11205"; // P2P_LAN_GROUP: administratively scoped group:port
  std::string p2p_lan_interface;                     // P2P_LAN_INTERFACE: IPv4 address of the interface to use
  unsigned p2p_lan_interval_seconds = 30;            // P2P_LAN_INTERVAL_SECONDS: between announcements
  // Reaching peers behind NATs (docs/p2p-protocol.md §12).
  bool p2p_dht = true;                               // P2P_DHT_DISCOVERY: records on the Mainline DHT
  std::vector<std::string> p2p_dht_bootstrap{"router.bittorrent.com:6881", "dht.transmissionbt.com:6881",
                                             "dht.libtorrent.org:25401"};  // P2P_DHT_BOOTSTRAP
  std::uint16_t p2p_dht_port = 0;                    // P2P_DHT_PORT (UDP, 0: any free port)
  bool p2p_port_mapping = true;                      // P2P_PORT_MAPPING: PCP, NAT-PMP, UPnP on the router
  bool p2p_lab_allow_reserved = false;               // P2P_LAB_ALLOW_RESERVED: test labs on 198.18/15
  std::vector<std::string> p2p_stun_servers;         // P2P_STUN_SERVERS: host:port
  std::vector<std::string> p2p_turn_servers;         // P2P_TURN_SERVERS: [user:password@]host:port
  std::string p2p_turn_secret;                       // P2P_TURN_SECRET: TURN REST API shared secret
  bool p2p_rendezvous = false;                       // P2P_RENDEZVOUS: forward signals between peers
  std::vector<std::string> p2p_pkarr_relays;         // P2P_PKARR_RELAYS: pkarr relay base URLs
  unsigned p2p_path_upgrade_seconds = 300;           // P2P_PATH_UPGRADE_SECONDS: relayed links look for a direct path
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Getenv = std::function<std::optional<std::string>(const char*)>;
Getenv process_env();

// "2GB", "512MB", "1073741824" -> bytes (binary units); nothing when unreadable.
std::optional<std::uint64_t> parse_size(std::string_view text);

// Reads the variables of DESIGN.md §4 into a Config (no validation, no defaults derived from data_dir).
Config config_from_env(const Getenv& env);

// Fills derived defaults, validates everything (all problems in one message) and loads or creates the
// JWT secret. Creates the data directory. Throws ConfigError.
void finalize(Config& c);

}  // namespace st::app
