#include "app/config.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "db/open.hpp"
#include "p2p/lan_discovery.hpp"
#include "util/host_port.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::app {

namespace fs = std::filesystem;

Getenv process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

std::vector<std::string> list(const std::string& s, char sep) {
  std::vector<std::string> out;
  for (auto part : util::split(s, sep)) {
    auto t = util::trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

// The documented placeholder secrets: anyone can forge tokens with them.
bool is_known_default_secret(const std::string& s) {
  return s == "dev-secret-change-me-in-production" || s == "change-me-to-a-secure-random-string" ||
         s == "change-me-to-a-secure-random-string-min-32-chars";
}

std::string load_or_create_secret(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string secret = util::random_hex(48);
    bool ok = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      throw ConfigError(fmt::format("cannot write the generated JWT secret to {}", path.string()));
    }
    return secret;
  }
  if (errno != EEXIST) throw ConfigError(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  std::ifstream in(path);
  std::string secret;
  std::getline(in, secret);
  secret = std::string(util::trim(secret));
  if (secret.size() < 32)
    throw ConfigError(fmt::format("{} holds no usable secret (32 characters at least); delete it to make a new one "
                                  "(everyone will have to log in again)",
                                  path.string()));
  ::chmod(path.c_str(), 0600);  // tighten a copy restored with loose permissions
  return secret;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto s = util::to_lower(util::trim(text));
  std::uint64_t mult = 1;
  for (auto [suffix, m] : {std::pair{"tb", 1ull << 40}, {"gb", 1ull << 30}, {"mb", 1ull << 20}, {"kb", 1ull << 10},
                           {"t", 1ull << 40}, {"g", 1ull << 30}, {"m", 1ull << 20}, {"k", 1ull << 10}, {"b", 1ull}}) {
    if (s.size() > std::strlen(suffix) && s.ends_with(suffix)) {
      mult = m;
      s = std::string(util::trim(s.substr(0, s.size() - std::strlen(suffix))));
      break;
    }
  }
  auto n = util::parse_int(s);
  if (!n || *n < 0 || static_cast<std::uint64_t>(*n) > UINT64_MAX / mult) return std::nullopt;
  return static_cast<std::uint64_t>(*n) * mult;
}

Config config_from_env(const Getenv& env) {
  Config c;
  std::vector<std::string> problems;
  if (auto v = env("HOST")) c.host = *v;
  if (auto v = env("PORT")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 65535) throw ConfigError(fmt::format("PORT must be a number from 1 to 65535, not '{}'", *v));
    c.port = static_cast<std::uint16_t>(*n);
  }
  if (auto v = env("SOUNDTIME_DATA_DIR")) c.data_dir = *v;
  if (auto v = env("DATABASE_URL")) c.database_url = *v;
  if (auto v = env("AUDIO_STORAGE_PATH")) c.audio_storage_path = *v;
  if (auto v = env("STORAGE_BACKEND")) {
    if (*v != "s3" && *v != "local") throw ConfigError("STORAGE_BACKEND must be local or s3");
    c.storage_s3 = *v == "s3";
  }
  if (auto v = env("S3_ENDPOINT")) c.s3_endpoint = *v;
  if (auto v = env("S3_BUCKET")) c.s3_bucket = *v;
  if (auto v = env("S3_REGION")) c.s3_region = *v;
  if (auto v = env("S3_ACCESS_KEY")) c.s3_access_key = *v;
  if (auto v = env("S3_SECRET_KEY")) c.s3_secret_key = *v;
  if (auto v = env("S3_PREFIX")) c.s3_prefix = *v;
  if (auto v = env("S3_CACHE_PATH")) c.s3_cache_path = *v;
  if (auto v = env("S3_CACHE_MAX_SIZE")) {
    auto n = parse_size(*v);
    if (!n) throw ConfigError("S3_CACHE_MAX_SIZE must be a size such as 2GB, 512MB or 1073741824");
    c.s3_cache_bytes = *n;
  }
  if (auto v = env("S3_PRESIGNED_EXPIRY_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 60 || *n > 7 * 86400)
      throw ConfigError("S3_PRESIGNED_EXPIRY_SECONDS must be a number from 60 to 604800");
    c.s3_presigned_seconds = static_cast<unsigned>(*n);
  }
  if (auto v = env("MUSIC_FOLDERS")) c.music_folders = list(*v, ':');
  if (auto v = env("JWT_SECRET")) c.jwt_secret = *v;
  if (auto v = env("SOUNDTIME_DOMAIN")) c.domain = *v;
  if (auto v = env("SOUNDTIME_SCHEME")) c.scheme = *v;
  if (auto v = env("CORS_ORIGINS")) c.cors_origins = list(*v, ',');
  if (auto v = env("TRUSTED_PROXIES")) c.trusted_proxies = list(*v, ',');
  if (auto v = env("LOG_LEVEL")) c.log_level = util::to_lower(*v);
  if (auto v = env("SOUNDTIME_WEB_ROOT")) c.web_root = *v;
  if (auto v = env("LYRICS_MUSIXMATCH_URL")) c.lyrics_musixmatch_url = *v;
  if (auto v = env("LYRICS_LYRICSCOM_URL")) c.lyrics_lyricscom_url = *v;
  if (auto v = env("LISTING_URL")) c.listing_url = *v;
  if (auto v = env("THEME_DIR")) c.theme_dir = *v;
  if (auto v = env("THEME_GIT_CA_FILE")) c.theme_git_ca_file = *v;
  if (auto v = env("LASTFM_API_KEY")) c.lastfm_api_key = *v;
  if (auto v = env("LASTFM_API_SECRET")) c.lastfm_api_secret = *v;
  if (auto v = env("LASTFM_API_URL"); v && !v->empty()) c.lastfm_api_url = *v;
  if (auto v = env("LASTFM_AUTH_URL"); v && !v->empty()) c.lastfm_auth_url = *v;
  if (auto v = env("LISTENBRAINZ_API_URL"); v && !v->empty()) c.listenbrainz_api_url = *v;
  if (auto v = env("MUSICBRAINZ_MIN_INTERVAL_MS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 60'000) throw ConfigError("MUSICBRAINZ_MIN_INTERVAL_MS must be a number from 0 to 60000");
    c.musicbrainz_min_interval_ms = static_cast<unsigned>(*n);
  }
  if (auto v = env("WAVEFORM_BACKFILL_DELAY_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 86'400) throw ConfigError("WAVEFORM_BACKFILL_DELAY_SECONDS must be a number from 0 to 86400");
    c.waveform_backfill_delay_seconds = static_cast<unsigned>(*n);
  }
  if (auto v = env("METADATA_ENRICH_INTERVAL_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 604'800)
      throw ConfigError("METADATA_ENRICH_INTERVAL_SECONDS must be a number from 0 to 604800");
    c.metadata_enrich_interval_seconds = static_cast<unsigned>(*n);
  }
  auto bounded = [&env](const char* name, long long lo, long long hi, unsigned& out) {
    if (auto v = env(name)) {
      auto n = util::parse_int(*v);
      if (!n || *n < lo || *n > hi) throw ConfigError(fmt::format("{} must be a number from {} to {}", name, lo, hi));
      out = static_cast<unsigned>(*n);
    }
  };
  bounded("LISTING_INTERVAL_SECONDS", 1, 86'400, c.listing_interval_seconds);
  bounded("LISTING_FIRST_DELAY_SECONDS", 0, 86'400, c.listing_first_delay_seconds);
  bounded("SCROBBLE_RETRY_SECONDS", 1, 3600, c.scrobble_retry_seconds);
  bounded("SCROBBLE_IDLE_CHECK_SECONDS", 1, 86400, c.scrobble_idle_check_seconds);
  bounded("SCROBBLE_QUEUE_MAX", 1, 1'000'000, c.scrobble_queue_max);
  bounded("HTTP_HEADER_TIMEOUT_SECONDS", 1, 3600, c.http_header_timeout_seconds);
  bounded("CLUSTER_CHECK_SECONDS", 1, 60, c.cluster_check_seconds);
  bounded("S3_ABANDONED_UPLOAD_HOURS", 0, 24 * 365, c.s3_abandoned_upload_hours);
  auto name_char = [](unsigned char ch) { return std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == ':'; };
  if (auto v = env("CLUSTER_NODE_NAME")) {
    if (v->empty() || v->size() > 48 || !std::all_of(v->begin(), v->end(), name_char))
      throw ConfigError("CLUSTER_NODE_NAME must be 1 to 48 letters, digits, '.', '-', '_' or ':'");
    c.cluster_node_name = *v;
  } else {
    char host[64] = {};
    gethostname(host, sizeof host - 1);
    std::string name = host[0] ? host : "node";
    for (auto& ch : name)
      if (!name_char(static_cast<unsigned char>(ch))) ch = '-';
    c.cluster_node_name = fmt::format("{}:{}", name.substr(0, 40), c.port);
  }
  if (auto v = env("CLUSTER_NODE_URL")) {
    if (!(v->starts_with("http://") || v->starts_with("https://")) || v->size() > 200 ||
        v->find_first_of(" \r\n\t") != std::string::npos)
      throw ConfigError("CLUSTER_NODE_URL must be an http:// or https:// URL, such as http://10.0.0.2:8080");
    c.cluster_node_url = *v;
    while (c.cluster_node_url.ends_with('/')) c.cluster_node_url.pop_back();
  } else {
    std::string host = c.host;
    if (host == "0.0.0.0" || host == "::" || host.empty()) {
      char name[256] = {};
      gethostname(name, sizeof name - 1);
      host = name[0] ? name : "localhost";
    }
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // an IPv6 address
    c.cluster_node_url = fmt::format("http://{}:{}", host, c.port);
  }
  bounded("HTTP_BODY_IDLE_TIMEOUT_SECONDS", 1, 3600, c.http_body_idle_timeout_seconds);
  bounded("HTTP_MAX_CONNECTIONS_PER_IP", 1, 1'000'000, c.http_max_connections_per_ip);
  bounded("HTTP_NETWORK_WAITS_MAX", 1, 10'000, c.http_network_waits_max);
  bounded("THEME_MAX_SIZE_MB", 1, 1024, c.theme_max_size_mb);
  bounded("THEME_INSTALL_RATE_BURST", 1, 1'000'000, c.theme_install_rate_burst);
  bounded("EDITORIAL_CHECK_SECONDS", 0, 30 * 86'400, c.editorial_check_seconds);
  bounded("EDITORIAL_FIRST_CHECK_SECONDS", 0, 86'400, c.editorial_first_check_seconds);
  bounded("AI_TIMEOUT_SECONDS", 1, 600, c.ai_timeout_seconds);
  if (auto v = env("HTTP_MAX_BODY_BYTES_PER_IP")) {
    auto n = parse_size(*v);
    if (!n || *n < 64 * 1024) throw ConfigError("HTTP_MAX_BODY_BYTES_PER_IP must be a size of at least 64KB (e.g. 32MB)");
    c.http_max_body_bytes_per_ip = *n;
  }
  if (auto v = env("SOUNDTIME_ENV")) c.production = util::to_lower(*v) == "production";
  if (auto v = env("AUTH_RATE_LIMIT_BURST")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 1'000'000) throw ConfigError("AUTH_RATE_LIMIT_BURST must be a number from 1 to 1000000");
    c.auth_rate_burst = static_cast<double>(*n);
  }
  if (auto v = env("AUTH_RATE_LIMIT_REFILL_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 86400) throw ConfigError("AUTH_RATE_LIMIT_REFILL_SECONDS must be a number from 1 to 86400");
    c.auth_rate_refill_seconds = static_cast<double>(*n);
  }
  if (auto v = env("TRANSCODE_CACHE_MAX_SIZE")) {
    auto n = parse_size(*v);
    if (!n) throw ConfigError("TRANSCODE_CACHE_MAX_SIZE must be a size such as 2GB, 512MB or 1073741824");
    c.transcode_cache_bytes = *n;
  }
  if (auto v = env("SCAN_INTERVAL_MINUTES")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 100000) throw ConfigError("SCAN_INTERVAL_MINUTES must be a number of minutes (0 disables)");
    c.scan_interval_minutes = static_cast<unsigned>(*n);
  }
  if (auto v = env("WATCH_MUSIC_FOLDERS")) {
    auto b = util::parse_bool(*v);
    if (!b) throw ConfigError("WATCH_MUSIC_FOLDERS must be true or false");
    c.watch_music_folders = *b;
  }
  if (auto v = env("MAX_TRANSCODES")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 256) throw ConfigError("MAX_TRANSCODES must be a number from 1 to 256");
    c.max_transcodes = static_cast<unsigned>(*n);
  }
  if (auto v = env("DB_MAX_CONNECTIONS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 1000) throw ConfigError("DB_MAX_CONNECTIONS must be a number from 1 to 1000");
    c.db_pool_size = static_cast<std::size_t>(*n);
  }
  if (auto v = env("P2P_ENABLED")) {
    auto b = util::parse_bool(*v);
    if (!b) throw ConfigError("P2P_ENABLED must be true or false");
    c.p2p_enabled = *b;
  }
  if (auto v = env("P2P_BIND_HOST")) c.p2p_bind_host = *v;
  if (auto v = env("P2P_BIND_PORT")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 65535) throw ConfigError("P2P_BIND_PORT must be a number from 0 to 65535");
    c.p2p_port = static_cast<std::uint16_t>(*n);
  }
  if (auto v = env("P2P_SEED_PEERS")) c.p2p_seed_peers = list(*v, ',');
  if (auto v = env("P2P_SECRET_KEY_PATH")) c.p2p_key_path = *v;
  if (auto v = env("P2P_BLOBS_DIR")) c.p2p_blobs_dir = *v;
  if (auto v = env("P2P_CACHE_MAX_SIZE")) {
    auto n = parse_size(*v);
    if (!n) throw ConfigError("P2P_CACHE_MAX_SIZE must be a size such as 2GB, 512MB or 1073741824");
    c.p2p_cache_bytes = *n;
  }
  if (auto v = env("P2P_SHARING_MODE")) {
    auto m = util::to_lower(*v);
    if (m != "open" && m != "friends") throw ConfigError("P2P_SHARING_MODE must be open or friends");
    c.p2p_friends_only = m == "friends";
  }
  if (auto v = env("P2P_FRIENDS")) {
    for (auto& f : list(*v, ',')) c.p2p_friends.push_back(util::to_lower(f));
  }
  if (auto v = env("P2P_SYNC_INTERVAL_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 86400) throw ConfigError("P2P_SYNC_INTERVAL_SECONDS must be a number from 1 to 86400");
    c.p2p_sync_interval_seconds = static_cast<unsigned>(*n);
  }
  if (auto v = env("P2P_HEALTH_INTERVAL_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 604800) throw ConfigError("P2P_HEALTH_INTERVAL_SECONDS must be a number from 1 to 604800");
    c.p2p_health_interval_seconds = static_cast<unsigned>(*n);
  }
  bounded("P2P_REQUEST_TIMEOUT_SECONDS", 1, 3600, c.p2p_request_timeout_seconds);
  if (auto v = env("P2P_PEX_INTERVAL_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 86400) throw ConfigError("P2P_PEX_INTERVAL_SECONDS must be a number from 1 to 86400");
    c.p2p_pex_interval_seconds = static_cast<unsigned>(*n);
  }
  auto count = [&env](const char* name, long long lo, long long hi, unsigned& out) {
    if (auto v = env(name)) {
      auto n = util::parse_int(*v);
      if (!n || *n < lo || *n > hi)
        throw ConfigError(std::string(name) + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
      out = static_cast<unsigned>(*n);
    }
  };
  count("P2P_MAX_PEERS", 1, 100000, c.p2p_max_peers);
  count("P2P_PENDING_PEERS", 1, 100000, c.p2p_pending_peers);
  count("P2P_PUSH_TRACKS_PER_MINUTE", 1000, 10000000, c.p2p_push_tracks_per_minute);  // (a page holds 1000)
  count("P2P_MAX_TRACKS_PER_PEER", 1, 100000000, c.p2p_max_tracks_per_peer);
  count("P2P_PEX_RECORDS_PER_ROUND", 1, 1000, c.p2p_pex_records_per_round);
  if (auto v = env("P2P_BLOOM_MAX_SIZE")) {
    auto n = parse_size(*v);
    if (!n) throw ConfigError("P2P_BLOOM_MAX_SIZE must be a size such as 16MB or 1048576");
    c.p2p_bloom_max_bytes = *n;
  }
  if (auto v = env("P2P_ADVERTISE_ADDRESSES")) c.p2p_advertise_addresses = list(*v, ',');
  if (auto v = env("P2P_LAN_DISCOVERY")) {
    auto b = util::parse_bool(*v);
    if (!b) throw ConfigError("P2P_LAN_DISCOVERY must be true or false");
    c.p2p_lan_discovery = *b;
  }
  if (auto v = env("P2P_LAN_MULTICAST")) {
    auto b = util::parse_bool(*v);
    if (!b) throw ConfigError("P2P_LAN_MULTICAST must be true or false");
    c.p2p_lan_multicast = *b;
  }
  if (auto v = env("P2P_LAN_GROUP")) c.p2p_lan_group = *v;
  if (auto v = env("P2P_LAN_INTERFACE")) c.p2p_lan_interface = *v;
  if (auto v = env("P2P_LAN_INTERVAL_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 3600) throw ConfigError("P2P_LAN_INTERVAL_SECONDS must be a number from 1 to 3600");
    c.p2p_lan_interval_seconds = static_cast<unsigned>(*n);
  }
  auto flag = [&env](const char* name, bool& out) {
    if (auto v = env(name)) {
      auto b = util::parse_bool(*v);
      if (!b) throw ConfigError(std::string(name) + " must be true or false");
      out = *b;
    }
  };
  flag("P2P_DHT_DISCOVERY", c.p2p_dht);
  flag("P2P_PORT_MAPPING", c.p2p_port_mapping);
  flag("P2P_LAB_ALLOW_RESERVED", c.p2p_lab_allow_reserved);
  flag("P2P_RENDEZVOUS", c.p2p_rendezvous);
  flag("THEME_ALLOW_PRIVATE_HOSTS", c.theme_allow_private_hosts);
  flag("S3_PATH_STYLE", c.s3_path_style);
  flag("S3_PRESIGNED_REDIRECT", c.s3_presigned_redirect);
  flag("S3_CREATE_BUCKET", c.s3_create_bucket);
  if (auto v = env("P2P_DHT_BOOTSTRAP")) c.p2p_dht_bootstrap = list(*v, ',');
  if (auto v = env("P2P_DHT_PORT")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 65535) throw ConfigError("P2P_DHT_PORT must be a number from 0 to 65535");
    c.p2p_dht_port = static_cast<std::uint16_t>(*n);
  }
  if (auto v = env("P2P_STUN_SERVERS")) c.p2p_stun_servers = list(*v, ',');
  if (auto v = env("P2P_TURN_SERVERS")) c.p2p_turn_servers = list(*v, ',');
  if (auto v = env("P2P_TURN_SECRET")) c.p2p_turn_secret = *v;
  if (auto v = env("P2P_PKARR_RELAYS")) c.p2p_pkarr_relays = list(*v, ',');
  if (auto v = env("P2P_PATH_UPGRADE_SECONDS")) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 86400) throw ConfigError("P2P_PATH_UPGRADE_SECONDS must be a number from 0 to 86400");
    c.p2p_path_upgrade_seconds = static_cast<unsigned>(*n);
  }
  return c;
}

void finalize(Config& c) {
  std::vector<std::string> problems;
  std::error_code ec;
  // Made private (0700) when we create it, whatever the umask: it holds the database, secrets and uploads.
  // One that exists keeps the mode its owner gave it.
  if (fs::create_directories(c.data_dir, ec) && !ec) fs::permissions(c.data_dir, fs::perms::owner_all, ec);
  if (ec) problems.push_back(fmt::format("cannot create the data directory {}: {}", c.data_dir, ec.message()));

  if (c.database_url.empty()) c.database_url = "sqlite://" + (fs::path(c.data_dir) / "soundtime.db").string();
  if (!db::is_supported_url(c.database_url))
    problems.push_back("DATABASE_URL must start with sqlite:// (a file path) or postgres:// (a PostgreSQL URL)");
  if (c.audio_storage_path.empty()) c.audio_storage_path = (fs::path(c.data_dir) / "music").string();
  if (c.theme_dir.empty()) c.theme_dir = (fs::path(c.data_dir) / "themes").string();
  if (c.s3_cache_path.empty()) c.s3_cache_path = (fs::path(c.data_dir) / "s3-cache").string();
  // The store's address as the server and `storage migrate` (which needs it with local storage too) use it.
  if (c.s3_endpoint.empty()) c.s3_endpoint = "https://s3." + c.s3_region + ".amazonaws.com";
  if (!c.s3_prefix.empty() && c.s3_prefix.back() != '/') c.s3_prefix += '/';
  if (c.storage_s3) {
    for (auto [name, value] : {std::pair{"S3_BUCKET", &c.s3_bucket}, std::pair{"S3_ACCESS_KEY", &c.s3_access_key},
                               std::pair{"S3_SECRET_KEY", &c.s3_secret_key}})
      if (value->empty()) problems.push_back(fmt::format("STORAGE_BACKEND=s3 needs {}", name));
    if (!util::starts_with(c.s3_endpoint, "http://") && !util::starts_with(c.s3_endpoint, "https://"))
      problems.push_back("S3_ENDPOINT must be a URL such as https://s3.example.org or http://127.0.0.1:7480");
  }
  for (const auto& f : c.music_folders)
    if (!fs::is_directory(f, ec)) problems.push_back(fmt::format("MUSIC_FOLDERS: {} is not a directory", f));

  boost::system::error_code aec;
  boost::asio::ip::make_address(c.host, aec);
  if (aec) problems.push_back(fmt::format("HOST must be an IP address such as 0.0.0.0 or 127.0.0.1, not '{}'", c.host));
  for (const auto& p : c.trusted_proxies) {
    boost::asio::ip::make_address(p, aec);
    if (aec) problems.push_back(fmt::format("TRUSTED_PROXIES: '{}' is not an IP address", p));
  }
  for (const auto& o : c.cors_origins)
    if (o != "*" && !util::starts_with(o, "http://") && !util::starts_with(o, "https://"))
      problems.push_back(fmt::format("CORS_ORIGINS: '{}' must be an origin such as https://music.example.org", o));
  if (c.cors_origins.empty()) c.cors_origins.push_back(c.scheme + "://" + c.domain);

  if (c.p2p_blobs_dir.empty()) c.p2p_blobs_dir = (fs::path(c.data_dir) / "p2p" / "blobs").string();
  if (c.p2p_key_path.empty()) c.p2p_key_path = (fs::path(c.p2p_blobs_dir).parent_path() / "secret_key").string();
  if (c.p2p_enabled) {
    boost::asio::ip::make_address(c.p2p_bind_host, aec);
    if (aec) problems.push_back(fmt::format("P2P_BIND_HOST must be an IP address, not '{}'", c.p2p_bind_host));
    for (const auto& f : c.p2p_friends)
      if (f.size() != 64 || f.find_first_not_of("0123456789abcdef") != std::string::npos)
        problems.push_back(fmt::format("P2P_FRIENDS: '{}' is not a NodeId (64 hex characters)", f));
    for (const auto& p : c.p2p_seed_peers) {
      bool hex = p.substr(0, 64).find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
      bool bare = p.size() == 64 && hex;
      std::string why;
      if (!bare && (p.size() <= 65 || p[64] != '@' || !hex))
        problems.push_back(
            fmt::format("P2P_SEED_PEERS: '{}' must be a NodeId (64 hex characters), optionally @host:port", p));
      else if (!bare && !util::parse_host_port(p.substr(65), &why))
        problems.push_back(fmt::format("P2P_SEED_PEERS: '{}': {}", p, why));
    }
    auto host_port_ok = [](const std::string& a) { return util::parse_host_port(a).has_value(); };
    for (const auto& a : c.p2p_dht_bootstrap)
      if (!host_port_ok(a)) problems.push_back(fmt::format("P2P_DHT_BOOTSTRAP: '{}' must be host:port or [IPv6]:port", a));
    for (const auto& u : c.p2p_pkarr_relays)
      if (!util::starts_with(u, "http://") && !util::starts_with(u, "https://"))
        problems.push_back(fmt::format("P2P_PKARR_RELAYS: '{}' must be an http:// or https:// URL", u));
    for (const auto& a : c.p2p_stun_servers)
      if (!host_port_ok(a)) problems.push_back(fmt::format("P2P_STUN_SERVERS: '{}' must be host:port or [IPv6]:port", a));
    for (const auto& t : c.p2p_turn_servers) {
      auto at = t.rfind('@');
      auto hp = at == std::string::npos ? t : t.substr(at + 1);
      bool creds = at == std::string::npos || t.substr(0, at).find(':') != std::string::npos;
      if (!host_port_ok(hp) || !creds)
        problems.push_back(fmt::format("P2P_TURN_SERVERS: '{}' must be user:password@host:port, or host:port ([IPv6]:port) with "
                                       "P2P_TURN_SECRET", t));
      else if (at == std::string::npos && c.p2p_turn_secret.empty())
        problems.push_back(fmt::format("P2P_TURN_SERVERS: '{}' has no credentials: give user:password@ or set "
                                       "P2P_TURN_SECRET", t));
    }
    for (const auto& a : c.p2p_advertise_addresses) {
      std::string why;
      if (!util::parse_host_port(a, &why))
        problems.push_back(fmt::format("P2P_ADVERTISE_ADDRESSES: '{}' must be host:port or [IPv6]:port ({})", a, why));
    }
    if (!p2p::parse_lan_group(c.p2p_lan_group))
      problems.push_back(fmt::format("P2P_LAN_GROUP: '{}' must be an IPv4 group in 239.0.0.0/8 with a port, such as 239.255.41.204:11205", c.p2p_lan_group));
    if (!c.p2p_lan_interface.empty()) {
      boost::asio::ip::make_address_v4(c.p2p_lan_interface, aec);
      if (aec) problems.push_back(fmt::format("P2P_LAN_INTERFACE must be an IPv4 address, not '{}'", c.p2p_lan_interface));
    }
  }

  static const std::vector<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(levels.begin(), levels.end(), c.log_level) == levels.end())
    problems.push_back(fmt::format("LOG_LEVEL must be one of trace, debug, info, warn, error, off (not '{}')",
                                   c.log_level));

  if (!c.jwt_secret.empty()) {
    if (is_known_default_secret(c.jwt_secret))
      problems.push_back("JWT_SECRET is a published placeholder: anyone could forge logins. Unset it to have one "
                         "generated, or set a long random value");
    else if (c.jwt_secret.size() < 32)
      problems.push_back("JWT_SECRET must be at least 32 characters (or unset it to have one generated)");
  } else if (problems.empty()) {
    try {
      c.jwt_secret = load_or_create_secret(fs::path(c.data_dir) / "secret");
    } catch (const ConfigError& e) {
      problems.push_back(e.what());
    }
  }

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (c.network_threads == 0) c.network_threads = cores;
  if (c.worker_threads == 0) c.worker_threads = std::max(8u, 4 * cores);
  if (c.max_transcodes == 0) c.max_transcodes = 2 * cores;
  if (c.db_pool_size == 0) c.db_pool_size = util::starts_with(c.database_url, "sqlite://") ? 8 : 16;

  if (!problems.empty()) {
    std::string msg = "invalid configuration:";
    for (const auto& p : problems) msg += "\n  - " + p;
    throw ConfigError(msg);
  }
}

}  // namespace st::app
