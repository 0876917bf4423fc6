#include "app/server_app.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "api/error_mapper.hpp"
#include "api/routes.hpp"
#include "subsonic/routes.hpp"
#include "app/leadership.hpp"
#include "app/listing_wiring.hpp"
#include "app/outside_services.hpp"
#include "app/p2p_wiring.hpp"
#include "app/routes_wiring.hpp"
#include "app/p2p_log_sink.hpp"
#include "app/scrobbling.hpp"
#include "app/services.hpp"
#include "app/theme_wiring.hpp"
#include "app/version.hpp"
#include "auth/rate_limiter.hpp"
#include "db/idle_memory.hpp"
#include "db/repositories.hpp"
#include "editorial/generator.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "library/folder_watcher.hpp"
#include "library/lyrics_cache.hpp"
#include "library/metadata_enricher.hpp"
#include "library/waveform_backfill.hpp"
#include "util/concurrency_gate.hpp"
#include "util/heap.hpp"
#include "util/log_text.hpp"
#include "util/strings.hpp"

namespace st::app {

namespace {

std::string default_web_root() {
  // Installed layouts put the app beside the binary; a source checkout has it in web/build.
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "web" / "build" / "index.html", ec)) return (dir / "web" / "build").string();
    }
  }
  return "web/build";
}

// Deletes expired sessions hourly, so the table does not grow without bound.
class SessionJanitor {
 public:
  // Purges only while on_duty() says so (the cluster's leader does).
  SessionJanitor(auth::SessionService& s, std::function<bool()> on_duty)
      : on_duty_(std::move(on_duty)), thread_([this, &s] { loop(s); }) {}
  ~SessionJanitor() {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void loop(auth::SessionService& s) {
    std::unique_lock l(mu_);
    while (!stop_) {
      l.unlock();
      try {
        if (on_duty_()) s.purge_expired();
      } catch (const std::exception& e) {
        spdlog::warn("session cleanup failed: {}", e.what());
      }
      l.lock();
      cv_.wait_for(l, std::chrono::hours(1), [this] { return stop_; });
    }
  }
  std::function<bool()> on_duty_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};


// Leftovers of a crash, before anything looks at the storage: received bodies (only a server has any, so a
// command run beside it never touches them) and uploads whose row was never committed; then albums and
// artists an interrupted import created before any of their tracks (nothing else runs yet, so no import in
// progress can lose the album it just made).
void sweep_leftovers(Services& s) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(s.temp_dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    std::filesystem::remove_all(it->path(), ec);
  if (auto n = s.uploads->sweep([&s](const std::string& p) { return s.catalog->find_by_path(p).has_value(); }))
    spdlog::warn("removed {} uploaded file(s) left without a track by an interrupted upload", n);
  s.catalog->prune_orphans();
}

// Several nodes on one PostgreSQL database: what one changes, the others' caches drop at once (settings,
// privacy, sessions checked moments ago, where tracks' files are); their own expiry is no longer the bound.
// On one node only the P2P node follows the settings. Undone by unhook_change_feed, before what it points at goes.
void hook_change_feed(Services& s, library::StreamSourceCache& stream_sources, scrobble::Scrobbler& scrobbler,
                      const std::function<void(std::string_view)>& p2p_follow) {
  model::ChangeFeed* feed = s.changes.get();
  s.settings->on_change([feed, &p2p_follow](std::string_view key) {
    if (p2p_follow) p2p_follow(key);
    if (feed) feed->publish(model::change_topic::settings, key);
  });
  if (!feed) return;
  s.sessions->on_sessions_ended([feed] { feed->publish(model::change_topic::sessions, ""); });
  stream_sources.on_forget([feed](std::string_view id) { feed->publish(model::change_topic::tracks, id); });
  // A listen or now-playing queued on a follower reaches Last.fm at once: the leader delivers, woken here
  // instead of at its next look at the queue (up to a minute later).
  scrobbler.on_queued([feed] { feed->publish(model::change_topic::scrobbles, ""); });
  feed->listen([&s, &stream_sources, &p2p_follow, &scrobbler](std::string_view topic, std::string_view key) {
    bool all = topic == model::change_topic::everything;
    if (all || topic == model::change_topic::settings) {
      s.settings->forget_cached();
      if (p2p_follow) p2p_follow(all ? std::string_view("p2p_enabled") : key);
    }
    if (all || topic == model::change_topic::sessions) s.sessions->forget_recent_checks();
    if (all || topic == model::change_topic::scrobbles) scrobbler.wake();
    if (all) stream_sources.clear();
    else if (topic == model::change_topic::tracks) stream_sources.forget_here(key);
  });
}

void unhook_change_feed(Services& s, library::StreamSourceCache& stream_sources, scrobble::Scrobbler& scrobbler) {
  s.settings->on_change(nullptr);
  s.sessions->on_sessions_ended(nullptr);
  stream_sources.on_forget(nullptr);
  scrobbler.on_queued(nullptr);
  s.changes.reset();  // the feed's listening thread ends here
}

http::ServerOptions server_options(const Config& c, Services& s, http::Router& router, RestRoutes& rest) {
  http::ServerOptions opts;
  opts.host = c.host;
  opts.port = c.port;
  opts.network_threads = c.network_threads;
  opts.worker_threads = c.worker_threads;
  opts.max_body_bytes = c.max_body_mb * 1024 * 1024;
  opts.cors.allowed_origins = c.cors_origins;
  opts.cors.open_path_prefixes = {"/rest/"};
  opts.temp_dir = s.temp_dir;
  opts.file_body_limit = [&rest](http::Method m, std::string_view path) {
    if (auto limit = api::upload_body_limit(rest.upload, m, path)) return limit;
    return api::theme_upload_body_limit(rest.themes, m, path);
  };
  opts.authorize_body = [&rest](const http::Request& req) { return api::authorize_upload(rest.upload, req); };
  opts.header_timeout = std::chrono::seconds(c.http_header_timeout_seconds);
  opts.body_idle_timeout = std::chrono::seconds(c.http_body_idle_timeout_seconds);
  opts.max_connections_per_ip = c.http_max_connections_per_ip;
  opts.max_body_bytes_per_ip = c.http_max_body_bytes_per_ip;
  opts.trusted_proxies = c.trusted_proxies;
  opts.runs_inline = [&router](const http::Request& req) { return router.is_inline(req); };
  opts.fast_path = [&router](http::Request& req) { return router.try_fast(req); };
  opts.access_log = [](const http::AccessLogEntry& e) {
    // 503 is a deliberate refusal (busy, database outage: logged once elsewhere), not a failure.
    auto level = e.status >= 500 && e.status != 503 ? spdlog::level::warn : (e.path == "/healthz" ? spdlog::level::debug : spdlog::level::info);
    // The path is percent-decoded: a "%0a" in it must not start a line of its own.
    spdlog::log(level, "{} {} {} {} {} {}B {:.1f}ms", e.request_id, e.remote_ip, e.method, util::escape_for_log(e.path),
                e.status, e.bytes, e.millis);
  };
  opts.error_log = [](std::string_view m) { spdlog::error("{}", util::escape_for_log(m)); };
  return opts;
}

}  // namespace

// Start-up in dependency order, then shutdown in the reverse: what a piece uses is made before it, and
// stops after it.
int serve(const Config& c) {
  // --- the database, the services, and what a crash left
  Services s = open_services(c);
  db::IdleMemoryRelease idle_memory(*s.pool, std::chrono::seconds(5));  // a quiet server gives memory back
  sweep_leftovers(s);
  s.catalog->prepare_search();  // the in-memory search index, built in the background

  // --- bounds: login attempts per client (shared by the nodes), workers waiting on the network
  auth::RateLimiter limiter(c.auth_rate_burst,
                            std::chrono::milliseconds(static_cast<long long>(c.auth_rate_refill_seconds * 1000)));
  limiter.share(s.rate_buckets.get(), "auth");
  // Handlers that wait on the network (peers, lyrics providers) get a few workers each, never all of them:
  // beyond that they answer 503 with Retry-After, and the catalogue keeps its workers.
  unsigned network_waits = c.http_network_waits_max ? c.http_network_waits_max : std::max(2u, c.worker_threads / 4);
  util::ConcurrencyGate waits(network_waits);

  // --- several nodes: the leader runs the background work (on SQLite this node always leads)
  std::function<void(bool)> on_lead;  // set below, once everything it starts exists
  Leadership leadership(s.cluster_locks.get(), std::chrono::seconds(c.cluster_check_seconds), [&on_lead](bool leading) {
    if (on_lead) on_lead(leading);
  });
  s.tasks->share_with_cluster(s.cluster_locks.get(), leadership.on_duty(),
                              s.cluster_locks ? db::make_library_task_ledger(*s.pool) : nullptr, c.cluster_node_name);
  auto cluster_tokens = s.cluster_locks ? std::make_unique<auth::ClusterTokens>(c.jwt_secret) : nullptr;

  // --- services of the routes and of the background work
  library::LyricsCache lyrics_cache(4096, std::chrono::hours(24), std::chrono::hours(1), network_waits);
  auto lyrics = online_lyrics(c, s, lyrics_cache);
  auto scrobbler = make_scrobbler(c, s);  // Last.fm and ListenBrainz: queued, delivered by the leader
  auto musicbrainz = make_musicbrainz(c, s);
  library::MetadataEnricher enricher(*s.metadata_repo, *s.catalog, *s.covers, *musicbrainz);
  enricher.schedule(std::chrono::seconds(c.metadata_enrich_interval_seconds),
                    [&s, &leadership] { return leadership.leader() && s.settings->flag("metadata_auto_enrich"); });
  // Waveforms of imported and scanned tracks, computed in the background (uploads get theirs at once).
  library::WaveformBackfill waveforms(
      *s.catalog, [&s, media = media_store(c, s)](const model::Track& t) { api::waveform_json(*s.catalog, media, t); },
      std::chrono::seconds(c.waveform_backfill_delay_seconds), std::chrono::minutes(10), leadership.on_duty());
  auto track_health = db::make_track_health_repository(*s.pool);
  library::StreamSourceCache stream_sources;
  auto themes = make_theme_parts(c, *s.pool);
  auto p2p_logs = std::make_shared<util::LogRing>(500);
  if (c.p2p_enabled) attach_p2p_log_sink(p2p_logs);
  auto p2p_parts = make_p2p(c, s, *track_health, cluster_tokens.get());  // P2P_ENABLED=true: the node
  auto editorial = make_editorial(c, s);
  auto listing = make_listing_service(c, s, kVersion);  // the public directory (off unless listing_public)
  hook_change_feed(s, stream_sources, *scrobbler, p2p_parts.follow_settings);

  // --- the routes: every group gets the services it uses (routes_wiring.cpp holds the table)
  auto rest = rest_routes(c, s, RouteParts{.login_limiter = limiter,
                                           .network_waits = waits,
                                           .online_lyrics = lyrics,
                                           .enricher = enricher,
                                           .track_health = *track_health,
                                           .stream_sources = stream_sources,
                                           .p2p_logs = *p2p_logs,
                                           .listing = *listing,
                                           .scrobbler = *scrobbler,
                                           .editorial = *editorial,
                                           .themes = themes.service.get(),
                                           .theme_install_rate = themes.install_rate.get(),
                                           .p2p = p2p_parts.node.get(),
                                           .cluster_tokens = cluster_tokens.get(),
                                           .leads = [&leadership] { return leadership.leader(); }});
  auto subsonic = subsonic_deps(c, s, SubsonicParts{.network_waits = waits,
                                                    .online_lyrics = lyrics,
                                                    .scrobbler = *scrobbler,
                                                    .track_health = *track_health,
                                                    .p2p = p2p_parts.node.get()});
  http::Router router;
  add_routes(router, *rest, *subsonic, network_waits);
  http::StaticFiles web(c.web_root.empty() ? default_web_root() : c.web_root);
  if (!web.available()) spdlog::info("no built web app found; serving the API only");
  router.fallback([&web](http::Request& req) {
    bool api_path = util::starts_with(req.path, "/api/") || req.path == "/api" || util::starts_with(req.path, "/rest/") ||
                    util::starts_with(req.path, "/.well-known/");
    if (api_path || !web.available()) return http::Response::error(404, "Not found");
    return web.serve(req);
  });

  // --- the server, then the background work
  auto handler = api::with_error_mapping(
      [&router](http::Request& req) { return router.dispatch(req); },
      [](std::string_view id, std::string_view m) { spdlog::error("{} {}", id, util::escape_for_log(m)); });
  http::Server server(server_options(c, s, router, *rest), handler);
  server.listen();
  // A quiet server drops getArtists' list and its renderings with the other caches (db/idle_memory.hpp),
  // and each network and worker thread gives back the freed blocks its heap cache keeps (5-7 MB of the
  // idle RSS at a million tracks), before the heap's free pages go back; unhooked before the server and
  // the Subsonic deps go.
  idle_memory.drop_caches_with([&s, &subsonic, &server] {
    s.catalog->drop_caches();
    subsonic->renders.clear();
    subsonic->folder_renders.clear();
    server.on_each_thread(util::release_thread_heap_cache, std::chrono::milliseconds(100));
  });
  struct UnhookIdle {
    db::IdleMemoryRelease& m;
    ~UnhookIdle() { m.drop_caches_with(nullptr); }
  } unhook_idle{idle_memory};
  SessionJanitor janitor(*s.sessions, leadership.on_duty());
  scrobbler->start(leadership.on_duty());
  // MUSIC_FOLDERS are rescanned periodically (incremental: unchanged files cost a stat()), and changes under
  // them (files copied, moved, deleted) start an incremental rescan once they settle.
  if (!c.music_folders.empty()) s.tasks->schedule_sync(std::chrono::minutes(c.scan_interval_minutes));
  std::unique_ptr<library::FolderWatcher> watcher;
  if (!c.music_folders.empty() && c.watch_music_folders) {
    watcher = std::make_unique<library::FolderWatcher>(c.music_folders, std::chrono::seconds(2), [&s, &leadership] {
      if (leadership.leader()) s.tasks->request_sync();
    });
    spdlog::info("watching {} folders under MUSIC_FOLDERS for changes", watcher->watched());
  }
  editorial->schedule(std::chrono::seconds(c.editorial_first_check_seconds), std::chrono::seconds(c.editorial_check_seconds),
                      leadership.on_duty());
  // The background work starts here when this node leads (at once on SQLite: one node), and moves to
  // another node within CLUSTER_CHECK_SECONDS when the leader goes away. (The waveform backfill and the
  // scans keep their own schedules: a new leader runs them at their next tick.)
  on_lead = [&p2p_parts, &listing, &scrobbler](bool leading) {
    if (p2p_parts.node) p2p_parts.node->lead(leading);
    if (leading) {
      listing->start();
      scrobbler->wake();
    } else {
      listing->stop();
    }
  };
  struct StopLeading {  // whatever way serve() ends, the work stops before what it uses is gone
    Leadership& l;
    library::StorageTasks& tasks;  // outlives serve()'s locals: its task and timer end here
    ~StopLeading() {
      tasks.stop();
      l.stop();
    }
  } stop_leading{leadership, *s.tasks};
  leadership.start();
  spdlog::info("SoundTime {} listening on http://{}:{} (database: {}, memory allocator: {})", kVersion, c.host,
               server.bound_port(), util::starts_with(c.database_url, "sqlite://") ? c.database_url : "PostgreSQL",
               util::heap_allocator());
  server.run();

  // --- shutdown: the listeners point at the node and the feed: unhooked, and the feed stopped, before the
  // node stops; then the library task and the leader's work; the rest as serve()'s locals go, in reverse.
  unhook_change_feed(s, stream_sources, *scrobbler);
  s.tasks->stop();    // a running scan ends here
  leadership.stop();  // the P2P node and the directory heartbeat stop here
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace st::app
