#pragma once
// The SQL implementations of the model's repository interfaces, written once for both engines.
#include <memory>

#include "db/pool.hpp"
#include "model/annotation.hpp"
#include "model/blocklist.hpp"
#include "model/app_password.hpp"
#include "model/catalog.hpp"
#include "model/device.hpp"
#include "model/metadata_enrichment.hpp"
#include "model/play_queue.hpp"
#include "model/radio_station.hpp"
#include "model/share.hpp"
#include "model/p2p.hpp"
#include "model/playlist.hpp"
#include "model/report.hpp"
#include "model/scrobble.hpp"
#include "model/session.hpp"
#include "model/library_task.hpp"
#include "model/settings.hpp"
#include "model/track_health.hpp"
#include "model/user.hpp"

namespace st::db {

std::unique_ptr<model::UserRepository> make_user_repository(Pool& pool);
std::unique_ptr<model::SessionRepository> make_session_repository(Pool& pool);
std::unique_ptr<model::SettingsRepository> make_settings_repository(Pool& pool);
std::unique_ptr<model::StatsRepository> make_stats_repository(Pool& pool);
std::unique_ptr<model::CatalogRepository> make_catalog_repository(Pool& pool);
std::unique_ptr<model::PlaylistRepository> make_playlist_repository(Pool& pool);
std::unique_ptr<model::ActivityRepository> make_activity_repository(Pool& pool);
std::unique_ptr<model::ReportRepository> make_report_repository(Pool& pool);
std::unique_ptr<model::AppPasswordRepository> make_app_password_repository(Pool& pool);
std::unique_ptr<model::BlocklistRepository> make_blocklist_repository(Pool& pool);
std::unique_ptr<model::AnnotationRepository> make_annotation_repository(Pool& pool);
std::unique_ptr<model::PlayQueueRepository> make_play_queue_repository(Pool& pool);
std::unique_ptr<model::ShareRepository> make_share_repository(Pool& pool);
std::unique_ptr<model::RadioStationRepository> make_radio_station_repository(Pool& pool);
std::unique_ptr<model::P2pRepository> make_p2p_repository(Pool& pool);
std::unique_ptr<model::MetadataRepository> make_metadata_repository(Pool& pool);
std::unique_ptr<model::DeviceRepository> make_device_repository(Pool& pool);
std::unique_ptr<model::TrackHealthRepository> make_track_health_repository(Pool& pool);
std::unique_ptr<model::UserSettingsRepository> make_user_settings_repository(Pool& pool);
std::unique_ptr<model::ScrobbleQueueRepository> make_scrobble_queue_repository(Pool& pool);
// Where the library task's state is kept for every node of a cluster to show.
std::unique_ptr<model::LibraryTaskLedger> make_library_task_ledger(Pool& pool);

}  // namespace st::db
