#pragma once
// The wired application: database, repositories and services, built once from the configuration.
#include <memory>

#include "app/config.hpp"
#include "auth/account_service.hpp"
#include "auth/app_passwords.hpp"
#include "auth/subsonic_auth.hpp"
#include "auth/instance_settings.hpp"
#include "auth/session_service.hpp"
#include "db/pool.hpp"
#include "library/cover_store.hpp"
#include "library/importer.hpp"
#include "library/storage_tasks.hpp"
#include "library/transcode_service.hpp"
#include "library/media_cache.hpp"
#include "library/object_store.hpp"
#include "library/upload_store.hpp"
#include "model/annotation.hpp"
#include "model/blocklist.hpp"
#include "model/app_password.hpp"
#include "model/catalog.hpp"
#include "model/change_feed.hpp"
#include "model/device.hpp"
#include "model/metadata_enrichment.hpp"
#include "model/play_queue.hpp"
#include "model/radio_station.hpp"
#include "model/share.hpp"
#include "model/p2p.hpp"
#include "model/playlist.hpp"
#include "model/report.hpp"
#include "model/session.hpp"
#include "model/scrobble.hpp"
#include "model/settings.hpp"
#include "model/user.hpp"

namespace st::app {

struct Services {
  std::unique_ptr<db::Pool> pool;
  // STORAGE_BACKEND=s3: where uploads, covers and shared transcodes go, and the bounded local copies of
  // what must be read as a file. Declared first, so destroyed after the services that use them.
  std::unique_ptr<library::ObjectStore> objects;
  std::unique_ptr<library::MediaCache> media_cache;
  std::unique_ptr<model::UserRepository> users;
  std::unique_ptr<model::SessionRepository> session_repo;
  std::unique_ptr<model::SettingsRepository> settings_repo;
  std::unique_ptr<model::StatsRepository> stats;
  std::unique_ptr<auth::InstanceSettings> settings;
  std::unique_ptr<auth::SessionService> sessions;
  std::unique_ptr<auth::AccountService> accounts;
  std::unique_ptr<model::CatalogRepository> catalog;
  std::unique_ptr<library::CoverStore> covers;
  std::unique_ptr<library::Importer> importer;
  std::unique_ptr<library::UploadStore> uploads;
  std::unique_ptr<model::PlaylistRepository> playlists;
  std::unique_ptr<model::ActivityRepository> activity;
  std::unique_ptr<library::TranscodeService> transcodes;
  std::unique_ptr<library::StorageTasks> tasks;
  std::unique_ptr<model::ReportRepository> reports;
  std::unique_ptr<model::AppPasswordRepository> app_password_repo;
  std::unique_ptr<model::BlocklistRepository> blocklist;
  std::unique_ptr<auth::AppPasswords> app_passwords;
  std::unique_ptr<auth::SubsonicAuthenticator> subsonic_auth;
  std::unique_ptr<model::AnnotationRepository> annotations;
  std::unique_ptr<model::PlayQueueRepository> play_queues;
  std::unique_ptr<model::ShareRepository> shares;
  std::unique_ptr<model::RadioStationRepository> radio_stations;
  // What the library scans (MUSIC_FOLDERS, then the upload storage), canonical: Subsonic's music folders.
  std::vector<std::string> scan_roots;
  std::unique_ptr<model::P2pRepository> p2p_repo;
  std::unique_ptr<model::MetadataRepository> metadata_repo;
  std::unique_ptr<model::DeviceRepository> devices;
  std::string temp_dir;
  // Changes the other nodes on the same database must hear (PostgreSQL); nothing on SQLite.
  std::unique_ptr<model::ChangeFeed> changes;
  std::unique_ptr<model::ClusterLocks> cluster_locks;  // PostgreSQL only: the leader's and the library task's
  std::unique_ptr<model::RateBuckets> rate_buckets;  // PostgreSQL only: limits shared by the nodes
  std::string server_key;  // 32 bytes that seal secrets at rest (app passwords, scrobbler credentials)
  std::unique_ptr<model::UserSettingsRepository> user_settings;
  std::unique_ptr<model::ScrobbleQueueRepository> scrobble_queue;

};

// Opens the database, applies pending migrations and builds the services.
Services open_services(const Config& config);

}  // namespace st::app
