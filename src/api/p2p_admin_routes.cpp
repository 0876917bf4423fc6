// The P2P admin surface beyond peers: replicated copies and their health (list, dereference,
// re-reference), the library re-sync task with one peer, and the P2P log buffer. Shapes are the
// original's (reference §1.7); fields we add are marked.
#include <cctype>
#include <cmath>

#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/pagination.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

json::value opt_int(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value opt_time(const std::optional<util::Micros>& v) {
  return v ? json::value(util::to_rfc3339(*v)) : json::value(nullptr);
}

json::object copy_json(const model::RemoteCopy& c) {
  json::object o;
  o["id"] = c.id;
  o["local_track_id"] = nullable(c.local_track_id);
  o["title"] = c.title;
  o["artist_name"] = c.artist_name;
  o["album_title"] = nullable(c.album_title);
  o["instance_domain"] = "p2p://" + c.origin_node;
  o["remote_uri"] = "p2p://" + c.origin_node + "/" + c.hash;
  o["bitrate"] = opt_int(c.bitrate);
  o["sample_rate"] = opt_int(c.sample_rate);
  o["format"] = nullable(c.format);
  o["is_available"] = c.state.is_available;
  o["last_checked_at"] = opt_time(c.last_checked_at);
  o["created_at"] = util::to_rfc3339(c.created_at);
  // Ours: the copy's health.
  o["content_hash"] = c.hash;
  o["health_state"] = std::string(model::to_string(c.state.health));
  o["failed_attempts"] = c.state.failed_attempts;
  o["admin_dereferenced"] = c.state.admin_dereferenced;
  o["last_failure_at"] = opt_time(c.last_failure_at);
  return o;
}

json::object message(std::string text) {
  json::object o;
  o["message"] = std::move(text);
  return o;
}

model::TrackHealthRepository& health(P2pAdminDeps& d) {
  if (!d.track_health) throw model::DomainError(model::ErrorKind::unavailable, "Remote tracks are not available");
  return *d.track_health;
}

library::P2pService& node(P2pAdminDeps& d) {
  if (!d.p2p) throw model::DomainError(model::ErrorKind::unavailable, "P2P node is not enabled");
  return *d.p2p;
}

std::string node_param(const http::Request& req) {
  auto id = util::to_lower(req.param("node_id"));
  bool hex = id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex) model::throw_bad_request("Invalid node ID format");
  return id;
}

}  // namespace

void add_p2p_admin_routes(http::Router& r, P2pAdminDeps& d) {
  // The 200 newest replicated copies (also without a running node: they are in the database).
  r.get("/api/admin/remote-tracks", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array a;
    if (d.track_health)
      for (const auto& c : d.track_health->list_copies(200)) a.push_back(copy_json(c));
    return json_response(200, a);
  });

  auto set_state = [&d](http::Request& req, bool dereference) {
    require_admin(d.guard, req);
    auto id = uuid_param(req, "id", "Remote track not found");
    auto& h = health(d);
    auto next = h.update_state(id, dereference ? &model::after_admin_dereference : &model::after_admin_rereference, false);
    if (!next) model::throw_not_found("Remote track not found");
    auto o = message(dereference ? "Track dereferenced: it is no longer used as a source"
                                 : "Track re-referenced: it is used as a source again");
    if (auto c = h.find_copy(id)) o["track"] = copy_json(*c);  // ours
    return json_response(200, o);
  };
  r.patch("/api/admin/p2p/tracks/{id}/dereference", [set_state](http::Request& req) { return set_state(req, true); });
  r.patch("/api/admin/p2p/tracks/{id}/rereference", [set_state](http::Request& req) { return set_state(req, false); });

  r.post("/api/admin/p2p/library-sync/{node_id}", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto id = node_param(req);
    node(d).start_resync(id);
    return json_response(200, message("Library re-sync started with peer " + id));
  });

  r.get("/api/admin/p2p/library-sync/task-status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::object o;
    if (!d.p2p) {
      o["status"] = "idle";
      return json_response(200, o);
    }
    auto s = d.p2p->resync_status();
    o["status"] = s.status;
    if (s.status == "running") {
      o["peer_id"] = s.peer_id;
      json::object p;
      p["processed"] = s.processed;
      p["total"] = s.total ? json::value(*s.total) : json::value(nullptr);
      p["phase"] = s.phase;
      o["progress"] = std::move(p);
    } else if (s.status == "completed") {
      json::object res;
      res["peer_id"] = s.peer_id;
      res["tracks_synced"] = s.tracks_synced;
      res["tracks_already_known"] = 0;
      res["errors"] = 0;
      res["duration_secs"] = std::round(s.duration_secs * 100.0) / 100.0;
      o["result"] = std::move(res);
    } else if (s.status == "error") {
      o["message"] = s.message;
    }
    return json_response(200, o);
  });

  r.post("/api/admin/p2p/library-sync/task-dismiss", [&d](http::Request& req) {
    require_admin(d.guard, req);
    node(d).dismiss_resync();
    return json_response(200, message("Task status reset"));
  });

  // The latest events of the P2P layer (500 kept): ?level= (case-insensitive, exact), ?limit= (last N).
  r.get("/api/admin/p2p/logs", [&d](http::Request& req) {
    require_admin(d.guard, req);
    std::optional<std::string> level;
    if (auto l = req.query("level"); l && !util::trim(*l).empty()) {
      std::string v(util::trim(*l));
      for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (v == "WARNING") v = "WARN";
      if (v != "TRACE" && v != "DEBUG" && v != "INFO" && v != "WARN" && v != "ERROR")
        model::throw_bad_request("level must be one of trace, debug, info, warn, error");
      level = v;
    }
    std::optional<std::size_t> limit;
    if (auto l = req.query("limit"); l && !l->empty())
      limit = static_cast<std::size_t>(count_param(req, "limit", 500, 500));
    json::array entries;
    std::size_t total = 0;
    if (d.p2p_logs) {
      total = d.p2p_logs->size();
      for (const auto& e : d.p2p_logs->recent(level, limit)) {
        json::object o;
        o["timestamp"] = util::to_rfc3339(e.timestamp).substr(0, 23) + "Z";  // milliseconds, as the original
        o["level"] = e.level;
        o["target"] = e.target;
        o["message"] = e.message;
        entries.push_back(std::move(o));
      }
    }
    json::object o;
    o["entries"] = std::move(entries);
    o["total_in_buffer"] = total;
    return json_response(200, o);
  });

  r.del("/api/admin/p2p/logs", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (d.p2p_logs) d.p2p_logs->clear();
    json::object o;
    o["status"] = "cleared";
    return json_response(200, o);
  });
}

}  // namespace st::api
