#include "app/services.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "db/migrator.hpp"
#include "db/open.hpp"
#include "db/repositories.hpp"
#include "lib/sodium/sodium.hpp"

namespace st::app {

Services open_services(const Config& c) {
  lib::sodium::init();
  Services s;
  s.pool = db::open_pool(db::DatabaseConfig{c.database_url, c.db_pool_size});
  for (const auto& name : db::migrate(*s.pool)) spdlog::info("applied migration {}", name);
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
  s.uploads = std::make_unique<library::UploadStore>(c.audio_storage_path);
  s.playlists = db::make_playlist_repository(*s.pool);
  s.activity = db::make_activity_repository(*s.pool);
  s.reports = db::make_report_repository(*s.pool);
  s.p2p_repo = db::make_p2p_repository(*s.pool);
  s.transcodes = std::make_unique<library::TranscodeService>(
      (std::filesystem::path(c.data_dir) / "cache" / "transcodes").string(), c.transcode_cache_bytes,
      c.max_transcodes);
  std::vector<std::string> scan_roots = c.music_folders;
  scan_roots.push_back(c.audio_storage_path);
  std::filesystem::create_directories(c.audio_storage_path);
  s.tasks = std::make_unique<library::StorageTasks>(*s.catalog, *s.importer, scan_roots,
                                                    std::max(2u, std::thread::hardware_concurrency()));
  // Received bodies and form parts: inside the data directory, so keeping an upload is a rename.
  s.temp_dir = (std::filesystem::path(c.data_dir) / "tmp").string();
  std::filesystem::remove_all(s.temp_dir);  // leftovers of a crash
  std::filesystem::create_directories(s.temp_dir);
  return s;
}

}  // namespace st::app
