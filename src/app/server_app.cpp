#include "app/server_app.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "api/error_mapper.hpp"
#include "api/routes.hpp"
#include "lib/curl/http_get.hpp"
#include "subsonic/routes.hpp"
#include "app/leadership.hpp"
#include "app/listing_wiring.hpp"
#include "app/leader_replicas.hpp"
#include "app/p2p_on_leader.hpp"
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
#include "library/musicbrainz.hpp"
#include "p2p/node.hpp"
#include "util/concurrency_gate.hpp"
#include "p2p/reach/address_scope.hpp"
#include "util/host_port.hpp"
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


}  // namespace

int serve(const Config& c) {
  Services s = open_services(c);
  // A quiet server gives back its connections' page caches and the heap's free pages.
  db::IdleMemoryRelease idle_memory(*s.pool, std::chrono::seconds(5));
  // Leftovers of a crash, before anything looks at the storage: received bodies (only a server has any,
  // so a command run beside it never touches them) and uploads whose row was never committed.
  {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(s.temp_dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
      std::filesystem::remove_all(it->path(), ec);
    if (auto n = s.uploads->sweep([&s](const std::string& p) { return s.catalog->find_by_path(p).has_value(); }))
      spdlog::warn("removed {} uploaded file(s) left without a track by an interrupted upload", n);
    // Albums and artists an interrupted import created before any of their tracks: nothing else runs yet,
    // so no import in progress can lose the album it just made.
    s.catalog->prune_orphans();
    s.catalog->prepare_search();  // SQLite: the in-memory search index, built in the background
  }

  // Login, registration and refresh: by default 10 at once, then one every 6 seconds per client.
  auth::RateLimiter limiter(c.auth_rate_burst,
                            std::chrono::milliseconds(static_cast<long long>(c.auth_rate_refill_seconds * 1000)));
  limiter.share(s.rate_buckets.get(), "auth");  // several nodes: one bucket per client for them all
  // Handlers that wait on the network (peers, lyrics providers) get a few workers each, never all of them:
  // beyond that they answer 503 with Retry-After, and the catalogue keeps its workers.
  unsigned network_waits = c.http_network_waits_max ? c.http_network_waits_max : std::max(2u, c.worker_threads / 4);
  util::ConcurrencyGate p2p_waits(network_waits);
  // Online lyrics: the provider and keys from the settings, base URLs from the environment (tests).
  // Answers (misses too) are remembered: a day when found, an hour when the provider has none.
  library::LyricsCache lyrics_cache(4096, std::chrono::hours(24), std::chrono::hours(1), network_waits);
  library::OnlineLyrics online_lyrics = [&c, &s, &lyrics_cache](const std::string& title, const std::string& artist) {
    library::LyricsProviderConfig lc;
    lc.provider = s.settings->text("lyrics_provider");
    lc.musixmatch_key = s.settings->text("lyrics_musixmatch_key");
    lc.lyricscom_key = s.settings->text("lyrics_lyricscom_key");
    if (!c.lyrics_musixmatch_url.empty()) lc.musixmatch_base = c.lyrics_musixmatch_url;
    if (!c.lyrics_lyricscom_url.empty()) lc.lyricscom_base = c.lyrics_lyricscom_url;
    auto get = [](const std::string& url) {
      auto r = lib::curl::get(url, 10);
      return std::pair<long, std::string>(r.status, std::move(r.body));
    };
    if (lc.provider != "musixmatch" && lc.provider != "lyricscom") return library::fetch_remote_lyrics(get, lc, title, artist);
    // The key names everything the answer depends on: a change of provider or key asks again.
    std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", lc.provider, lc.musixmatch_key, lc.lyricscom_key,
                                  lc.musixmatch_base, lc.lyricscom_base, title, artist);
    return lyrics_cache.get(key, [&] { return library::fetch_remote_lyrics(get, lc, title, artist); });
  };
  // What the REST routes use; the services made further down (enrichment, P2P, themes...) are added there.
  api::ApiDeps deps{
      .accounts = *s.accounts,
      .sessions = *s.sessions,
      .settings = *s.settings,
      .auth_rate_limiter = limiter,
      .stats = *s.stats,
      .domain = c.domain,
      .trusted_proxies = c.trusted_proxies,
      .version = kVersion,
      .p2p_enabled = false,  // until the P2P node is made, below
      .catalog = s.catalog.get(),
      .covers = s.covers.get(),
      .importer = s.importer.get(),
      .uploads = s.uploads.get(),
      .temp_dir = s.temp_dir,
      .playlists = s.playlists.get(),
      .activity = s.activity.get(),
      .audio_storage_path = c.audio_storage_path,
      .transcodes = s.transcodes.get(),
      .tasks = s.tasks.get(),
      .reports = s.reports.get(),
      .app_passwords = s.app_passwords.get(),
      .online_lyrics = online_lyrics,
      .library_roots = s.scan_roots,
      .p2p_waits = &p2p_waits,
      .objects = s.objects.get(),
      .media_cache = s.media_cache.get(),
      .presigned_redirect = c.s3_presigned_redirect,
      .presigned_expiry = std::chrono::seconds(c.s3_presigned_seconds),
  };
  // What the OpenSubsonic routes use.
  subsonic::Deps subsonic_deps{
      .authenticator = *s.subsonic_auth,
      .accounts = *s.accounts,
      .settings = *s.settings,
      .users = *s.users,
      .catalog = *s.catalog,
      .playlists = *s.playlists,
      .activity = *s.activity,
      .annotations = *s.annotations,
      .play_queues = *s.play_queues,
      .shares = *s.shares,
      .radio_stations = *s.radio_stations,
      .covers = *s.covers,
      .transcodes = *s.transcodes,
      .tasks = *s.tasks,
      .server_version = kVersion,
      .trusted_proxies = c.trusted_proxies,
      .music_folders = s.scan_roots,
      .public_base_url = c.scheme + "://" + c.domain,
      .now_playing = {},
      .p2p_waits = &p2p_waits,
      .online_lyrics = online_lyrics,
      .media_cache = s.media_cache.get(),
  };
  // Several nodes on one PostgreSQL: the background work runs on the one holding the leader lock.
  std::function<void(bool)> on_lead;  // set below, once everything it starts exists
  Leadership leadership(s.cluster_locks.get(), std::chrono::seconds(c.cluster_check_seconds), [&on_lead](bool leading) {
    if (on_lead) on_lead(leading);
  });
  deps.cluster = s.cluster_locks.get();
  deps.node_name = c.cluster_node_name;
  deps.leads = [&leadership] { return leadership.leader(); };
  s.tasks->share_with_cluster(s.cluster_locks.get(), leadership.on_duty(),
                              s.cluster_locks ? db::make_library_task_ledger(*s.pool) : nullptr, c.cluster_node_name);
  // Last.fm and ListenBrainz: playback events are queued; a background thread delivers them.
  auto scrobbler = make_scrobbler(c, s);
  deps.scrobbler = scrobbler.get();
  subsonic_deps.scrobbler = scrobbler.get();


  // MusicBrainz enrichment: services and their URLs from the settings, read at each request.
  library::MusicBrainzClient musicbrainz(
      [](const library::WebRequest& w) {
        auto r = lib::curl::get(w.url, w.timeout_seconds, w.max_body, w.user_agent);
        return library::WebReply{r.status, std::move(r.body), std::move(r.content_type)};
      },
      [&c, &s] {
        library::MusicBrainzConfig m;
        auto text = [&s](const char* key, std::string fallback) {
          auto v = s.settings->text(key);
          return v.empty() ? fallback : v;
        };
        m.base = text("musicbrainz_base_url", m.base);
        m.coverart_base = text("coverart_base_url", m.coverart_base);
        m.wikipedia_base = text("wikipedia_base_url", m.wikipedia_base);
        m.wikidata_base = text("wikidata_base_url", m.wikidata_base);
        m.user_agent = text("musicbrainz_user_agent", fmt::format("SoundTime/{} ( {}://{} )", kVersion, c.scheme, c.domain));
        m.min_interval = std::chrono::milliseconds(c.musicbrainz_min_interval_ms);
        return m;
      });
  library::MetadataEnricher enricher(*s.metadata_repo, *s.catalog, *s.covers, musicbrainz);
  enricher.schedule(std::chrono::seconds(c.metadata_enrich_interval_seconds),
                    [&s, &leadership] { return leadership.leader() && s.settings->flag("metadata_auto_enrich"); });
  deps.enricher = &enricher;
  deps.metadata = s.metadata_repo.get();
  deps.devices = s.devices.get();
  // Waveforms of imported and scanned tracks, computed in the background (uploads get theirs at once).
  library::WaveformBackfill waveforms(
      *s.catalog, [&deps](const model::Track& t) { api::waveform_json(deps, t); },
      std::chrono::seconds(c.waveform_backfill_delay_seconds), std::chrono::minutes(10), leadership.on_duty());

  // Peer-to-peer runs only when configured (P2P_ENABLED=true).
  deps.blocklist = s.blocklist.get();
  // Several nodes: a follower plays replicated tracks through the leader, which answers only its peers.
  std::unique_ptr<auth::ClusterTokens> cluster_tokens;
  std::unique_ptr<LeaderReplicas> leader_replicas;
  if (s.cluster_locks) {
    cluster_tokens = std::make_unique<auth::ClusterTokens>(c.jwt_secret);
    deps.cluster_tokens = cluster_tokens.get();
  }
  std::unique_ptr<P2pOnLeader> node;  // the P2P node, running while this process leads
  std::function<void(std::string_view)> p2p_follow;  // the node follows its settings (set with the node)
  auto track_health = db::make_track_health_repository(*s.pool);
  deps.track_health = track_health.get();
  library::StreamSourceCache stream_sources;
  deps.stream_sources = &stream_sources;
  auto themes = make_theme_parts(c, *s.pool);
  deps.themes = themes.service.get();
  deps.theme_install_rate = themes.install_rate.get();
  subsonic_deps.track_health = track_health.get();
  auto p2p_logs = std::make_shared<util::LogRing>(500);
  deps.p2p_logs = p2p_logs.get();
  if (c.p2p_enabled) {
    attach_p2p_log_sink(p2p_logs);
    auto make_node = [&c, &s, health = track_health.get()] {
      return std::make_unique<p2p::Node>(p2p_node_options(c, s, health), *s.p2p_repo, *s.catalog);
    };
    // The admin's sharing settings drive the node; where none is stored, the environment decides (P2P on,
    // P2P_SHARING_MODE).
    auto apply_policy = [&s, &c](p2p::Node& n) {
      auto on = s.settings->stored("p2p_enabled");
      auto mode = s.settings->stored("p2p_sharing_mode");
      n.set_policy(on ? s.settings->flag("p2p_enabled") : true, mode ? *mode == "friends" : c.p2p_friends_only);
    };
    node = std::make_unique<P2pOnLeader>(make_node, apply_policy);
    if (s.cluster_locks) {
      LeaderReplicas::announce(*s.settings_repo, c.cluster_node_name, c.cluster_node_url);
      leader_replicas = std::make_unique<LeaderReplicas>(*s.cluster_locks, *s.settings_repo, *cluster_tokens,
                                                         (std::filesystem::path(c.data_dir) / "cache" / "leader-replicas").string(),
                                                         c.p2p_cache_bytes);
      node->set_through_leader([r = leader_replicas.get()](std::string_view hash) { return r->materialize(hash); });
    }
    deps.p2p = node.get();
    subsonic_deps.p2p = node.get();
    deps.p2p_enabled = true;
    p2p_follow = [n = node.get()](std::string_view key) {
      if (key == "p2p_enabled" || key == "p2p_sharing_mode") n->reconfigure();
    };
  }
  // Several nodes on one PostgreSQL database: what one changes, the others' caches drop at once (settings,
  // privacy, sessions checked moments ago, where tracks' files are); their own expiry is no longer the bound.
  model::ChangeFeed* feed = s.changes.get();
  s.settings->on_change([feed, &p2p_follow](std::string_view key) {
    if (p2p_follow) p2p_follow(key);
    if (feed) feed->publish(model::change_topic::settings, key);
  });
  if (feed) {
    s.sessions->on_sessions_ended([feed] { feed->publish(model::change_topic::sessions, ""); });
    stream_sources.on_forget([feed](std::string_view id) { feed->publish(model::change_topic::tracks, id); });
    // A listen or now-playing queued on a follower reaches Last.fm at once: the leader delivers, woken here
    // instead of at its next look at the queue (up to a minute later).
    scrobbler->on_queued([feed] { feed->publish(model::change_topic::scrobbles, ""); });
    feed->listen([&s, &stream_sources, &p2p_follow, &scrobbler](std::string_view topic, std::string_view key) {
      bool all = topic == model::change_topic::everything;
      if (all || topic == model::change_topic::settings) {
        s.settings->forget_cached();
        if (p2p_follow) p2p_follow(all ? std::string_view("p2p_enabled") : key);
      }
      if (all || topic == model::change_topic::sessions) s.sessions->forget_recent_checks();
      if (all || topic == model::change_topic::scrobbles) scrobbler->wake();
      if (all) stream_sources.clear();
      else if (topic == model::change_topic::tracks) stream_sources.forget_here(key);
    });
  }

  // AI editorial playlists: settings read at each generation; the API key never leaves this process but
  // in the Authorization header.
  editorial::GeneratorOptions editorial_options;
  editorial_options.timeout_seconds = c.ai_timeout_seconds;
  editorial::Generator editorial(
      *s.catalog, *s.playlists, *s.users,
      editorial::SettingsAccess{[&s](std::string_view k) { return s.settings->text(k); },
                                [&s](std::string_view k, std::string_view v) { s.settings->put(k, v); }},
      [](const editorial::ChatHttpRequest& r) {
        auto a = lib::curl::post(r.url, r.body, "application/json", r.headers, r.timeout_seconds, r.max_body);
        return editorial::ChatHttpReply{a.status, std::move(a.body)};
      },
      editorial_options);
  deps.editorial = &editorial;

  http::Router router;
  add_routes(router, deps, subsonic_deps, network_waits);

  http::StaticFiles web(c.web_root.empty() ? default_web_root() : c.web_root);
  if (!web.available()) spdlog::info("no built web app found; serving the API only");
  router.fallback([&web](http::Request& req) {
    bool api_path = util::starts_with(req.path, "/api/") || req.path == "/api" || util::starts_with(req.path, "/rest/") ||
                    util::starts_with(req.path, "/.well-known/");
    if (api_path || !web.available()) return http::Response::error(404, "Not found");
    return web.serve(req);
  });

  http::ServerOptions opts;
  opts.host = c.host;
  opts.port = c.port;
  opts.network_threads = c.network_threads;
  opts.worker_threads = c.worker_threads;
  opts.max_body_bytes = c.max_body_mb * 1024 * 1024;
  opts.cors.allowed_origins = c.cors_origins;
  opts.cors.open_path_prefixes = {"/rest/"};
  opts.temp_dir = s.temp_dir;
  opts.file_body_limit = [&deps](http::Method m, std::string_view path) { return api::upload_body_limit(deps, m, path); };
  opts.authorize_body = [&deps](const http::Request& req) { return api::authorize_upload(deps, req); };
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

  // The public directory listing (off unless the listing_public setting is true).
  auto listing = make_listing_service(c, s, kVersion);
  deps.listing = listing.get();
  auto handler = api::with_error_mapping(
      [&router](http::Request& req) { return router.dispatch(req); },
      [](std::string_view id, std::string_view m) { spdlog::error("{} {}", id, util::escape_for_log(m)); });
  http::Server server(opts, handler);
  server.listen();
  SessionJanitor janitor(*s.sessions, leadership.on_duty());
  scrobbler->start(leadership.on_duty());
  // MUSIC_FOLDERS are rescanned periodically (incremental: unchanged files cost a stat()).
  if (!c.music_folders.empty()) s.tasks->schedule_sync(std::chrono::minutes(c.scan_interval_minutes));
  // Changes under MUSIC_FOLDERS (files copied, moved, deleted) start an incremental rescan once they settle.
  std::unique_ptr<library::FolderWatcher> watcher;
  if (!c.music_folders.empty() && c.watch_music_folders) {
    watcher = std::make_unique<library::FolderWatcher>(c.music_folders, std::chrono::seconds(2),
                                                       [&s, &leadership] {
                                                         if (leadership.leader()) s.tasks->request_sync();
                                                       });
    spdlog::info("watching {} folders under MUSIC_FOLDERS for changes", watcher->watched());
  }
  editorial.schedule(std::chrono::seconds(c.editorial_first_check_seconds), std::chrono::seconds(c.editorial_check_seconds),
                     leadership.on_duty());
  // The background work starts here when this node leads (at once on SQLite: one node), and moves to
  // another node within CLUSTER_CHECK_SECONDS when the leader goes away.
  // (The waveform backfill and the scans keep their own schedules: a new leader runs them at their next tick.)
  on_lead = [&node, &listing, &scrobbler](bool leading) {
    if (node) node->lead(leading);
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
  spdlog::info("SoundTime {} listening on http://{}:{} (database: {})", kVersion, c.host, server.bound_port(),
               util::starts_with(c.database_url, "sqlite://") ? c.database_url : "PostgreSQL");
  server.run();
  // The listeners point at the node and the feed: unhooked, and the feed stopped, before the node stops.
  s.settings->on_change(nullptr);
  s.sessions->on_sessions_ended(nullptr);
  stream_sources.on_forget(nullptr);
  scrobbler->on_queued(nullptr);
  s.changes.reset();
  s.tasks->stop();    // a running scan ends here
  leadership.stop();  // the P2P node and the directory heartbeat stop here
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace st::app
