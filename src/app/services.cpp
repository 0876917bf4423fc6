#include "app/services.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "app/s3_object_store.hpp"
#include "db/migrator.hpp"
#include "db/open.hpp"
#include "db/repositories.hpp"
#include "lib/sodium/sodium.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::app {

namespace {

// The server key that seals app passwords: 32 random bytes in a 0600 file, made on first start. Back it
// up with the database: without it, app passwords cannot be checked (they must be created again).
std::string load_or_create_key(const std::string& path) {
  constexpr std::size_t kLen = 32;
  if (std::ifstream in(path, std::ios::binary); in) {
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() != kLen) throw std::runtime_error(path + " is damaged: it must hold exactly 32 bytes");
    return key;
  }
  std::string key(kLen, '\0');
  util::random_bytes(key.data(), key.size());
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
  spdlog::info("created the app password key {}", path);
  return key;
}

}  // namespace

Services open_services(const Config& c) {
  lib::sodium::init();
  Services s;
  s.pool = db::open_pool(db::DatabaseConfig{c.database_url, c.db_pool_size});
  s.pool->set_event_log([](std::string_view m) { spdlog::warn("{}", m); });
  for (const auto& name : db::migrate(*s.pool)) spdlog::info("applied migration {}", name);
  s.changes = db::open_change_feed(db::DatabaseConfig{c.database_url, c.db_pool_size}, *s.pool);
  s.rate_buckets = db::open_rate_buckets(*s.pool);
  s.cluster_locks = db::open_cluster_locks(db::DatabaseConfig{c.database_url, c.db_pool_size}, c.cluster_node_name, *s.pool);
  s.users = db::make_user_repository(*s.pool);
  s.session_repo = db::make_session_repository(*s.pool);
  s.settings_repo = db::make_settings_repository(*s.pool);
  s.stats = db::make_stats_repository(*s.pool);
  s.settings = std::make_unique<auth::InstanceSettings>(*s.settings_repo);
  s.sessions = std::make_unique<auth::SessionService>(auth::TokenConfig{c.jwt_secret}, *s.users, *s.session_repo);
  s.accounts = std::make_unique<auth::AccountService>(*s.users, *s.settings, *s.sessions);
  s.catalog = db::make_catalog_repository(*s.pool);
  s.covers = std::make_unique<library::CoverStore>((std::filesystem::path(c.data_dir) / "media").string());
  s.importer = std::make_unique<library::Importer>(*s.catalog, *s.covers,
                                                   (std::filesystem::path(c.data_dir) / "outboards").string());
  s.uploads = std::make_unique<library::UploadStore>(
      c.audio_storage_path, (std::filesystem::path(c.data_dir) / "uploads-pending").string());
  s.playlists = db::make_playlist_repository(*s.pool);
  s.activity = db::make_activity_repository(*s.pool);
  s.reports = db::make_report_repository(*s.pool);
  s.p2p_repo = db::make_p2p_repository(*s.pool);
  s.metadata_repo = db::make_metadata_repository(*s.pool);
  s.devices = db::make_device_repository(*s.pool);
  s.transcodes = std::make_unique<library::TranscodeService>(
      (std::filesystem::path(c.data_dir) / "cache" / "transcodes").string(), c.transcode_cache_bytes,
      c.max_transcodes);
  std::filesystem::create_directories(c.audio_storage_path);
  std::vector<std::string> scan_roots = c.music_folders;
  scan_roots.push_back(c.audio_storage_path);
  for (auto& root : scan_roots) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(root, ec);
    if (!ec) root = canonical.string();
    while (root.size() > 1 && root.back() == '/') root.pop_back();
  }
  s.scan_roots = scan_roots;
  s.tasks = std::make_unique<library::StorageTasks>(*s.catalog, *s.importer, scan_roots,
                                                    std::max(2u, std::thread::hardware_concurrency()));
  s.app_password_repo = db::make_app_password_repository(*s.pool);
  s.blocklist = db::make_blocklist_repository(*s.pool);
  auto key_path = (std::filesystem::path(c.data_dir) / "app-passwords.key").string();
  s.server_key = load_or_create_key(key_path);
  if (s.cluster_locks) {
    // Nodes on one PostgreSQL database read each other's sealed secrets (an app password made through A is
    // checked by B, a Last.fm session stored by B is used by the leader A): they need one key. The first
    // node records its key's fingerprint; a node with another key stops here instead of failing users.
    auto digest = lib::sodium::blake2b_256("soundtime sealing key fingerprint\n" + s.server_key);
    auto mine = util::to_hex(digest.data(), 16);
    auto theirs = s.settings_repo->put_if_absent("cluster_sealing_key_fingerprint", mine);
    if (theirs != mine)
      throw std::runtime_error(key_path +
                               " is not the key the other nodes on this database seal secrets with (app passwords, "
                               "scrobbler sessions): copy app-passwords.key from another node's data directory "
                               "into this one, then start again");
  }
  s.app_passwords = std::make_unique<auth::AppPasswords>(*s.app_password_repo, s.server_key);
  s.user_settings = db::make_user_settings_repository(*s.pool);
  s.scrobble_queue = db::make_scrobble_queue_repository(*s.pool);
  s.subsonic_auth = std::make_unique<auth::SubsonicAuthenticator>(
      *s.users, *s.app_passwords, c.auth_rate_burst,
      std::chrono::milliseconds(static_cast<long long>(c.auth_rate_refill_seconds * 1000)));
  s.subsonic_auth->share_failures(s.rate_buckets.get());  // several nodes: one count of failures for them all
  s.annotations = db::make_annotation_repository(*s.pool);
  s.play_queues = db::make_play_queue_repository(*s.pool);
  s.shares = db::make_share_repository(*s.pool);
  s.radio_stations = db::make_radio_station_repository(*s.pool);
  // Received bodies and form parts: inside the data directory, so keeping an upload is a rename.
  s.temp_dir = (std::filesystem::path(c.data_dir) / "tmp").string();
  std::filesystem::create_directories(s.temp_dir);
  if (c.storage_s3) {
    lib::s3::Config s3{c.s3_endpoint, c.s3_bucket, c.s3_region, c.s3_access_key, c.s3_secret_key, c.s3_prefix,
                       c.s3_path_style};
    auto store = std::make_unique<S3ObjectStore>(s3);
    try {
      store->check(c.s3_create_bucket);
    } catch (const library::StorageError& e) {
      throw std::runtime_error(std::string("STORAGE_BACKEND=s3: ") + e.what() +
                               " (check S3_ENDPOINT, S3_BUCKET and the keys; S3_CREATE_BUCKET=true makes the bucket)");
    }
    spdlog::info("uploads are stored in {}", store->describe());
    try {
      if (auto n = store->abort_abandoned_uploads(std::chrono::hours(c.s3_abandoned_upload_hours)))
        spdlog::info("object storage: aborted {} interrupted uploads", n);
    } catch (const library::StorageError& e) {
      spdlog::warn("object storage: cannot look for interrupted uploads: {}", e.what());
    }
    s.media_cache = std::make_unique<library::MediaCache>(*store, c.s3_cache_path, c.s3_cache_bytes);
    s.objects = std::move(store);
    s.tasks->set_object_store(s.objects.get());
    s.covers->keep_in(*s.objects, *s.media_cache);
    s.transcodes->share_through(*s.objects);
  }
  return s;
}

}  // namespace st::app
