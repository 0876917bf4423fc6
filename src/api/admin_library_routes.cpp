// Library administration: storage status, the integrity check and the sync (rescan) tasks with their
// progress (metadata coverage is in metadata_routes.cpp).
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "model/metadata_enrichment.hpp"

namespace st::api {

namespace {

json::object started(const char* task) {
  json::object o;
  o["status"] = "started";
  o["task"] = task;
  return o;
}

json::value task_status(const library::TaskState& s) {
  json::object o;
  using S = library::TaskState::Status;
  switch (s.status) {
    case S::idle: o["status"] = "idle"; return o;
    case S::error:
      o["status"] = "error";
      o["message"] = s.message;
      return o;
    case S::running: {
      o["status"] = "running";
      o["task"] = s.kind;
      if (!s.node.empty()) o["node"] = s.node;  // several nodes: which one runs it
      json::object p;
      p["processed"] = s.processed;
      p["total"] = s.total ? json::value(*s.total) : json::value(nullptr);
      o["progress"] = std::move(p);
      return o;
    }
    case S::completed: break;
  }
  o["status"] = "completed";
  json::object r;
  json::array errors;
  for (const auto& e : s.errors) errors.push_back(json::value(e));
  if (s.kind == "integrity") {
    r["kind"] = "integrity";
    r["total_checked"] = s.total_checked;
    r["healthy"] = s.healthy;
    json::array missing;
    for (const auto& m : s.missing) {
      json::object x;
      x["track_id"] = m.track_id;
      x["title"] = m.title;
      x["file_path"] = m.file_path;
      missing.push_back(std::move(x));
    }
    r["missing"] = std::move(missing);
    json::array orphans;
    for (const auto& k : s.orphans) orphans.push_back(json::value(k));
    r["orphan_objects"] = std::move(orphans);  // object storage: objects no track names (the first 1000)
    r["orphan_count"] = s.orphan_count;
  } else {
    r["kind"] = "sync";
    r["scanned"] = s.scanned;
    r["imported"] = s.imported;
    r["updated"] = s.updated;
    r["removed"] = s.removed;
    r["skipped"] = s.skipped;
  }
  r["errors"] = std::move(errors);
  o["result"] = std::move(r);
  return o;
}

}  // namespace

void add_admin_library_routes(http::Router& r, AdminLibraryDeps& d) {
  r.get("/api/admin/storage/status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto m = d.catalog->metadata_counts();
    json::object o;
    o["backend"] = d.objects ? "s3" : "local";
    o["total_tracks"] = m.total_tracks;
    o["total_size_bytes"] = m.total_size_bytes;
    o["storage_path_or_bucket"] = d.objects ? d.objects->describe() : d.audio_storage_path;
    auto remote = d.metadata ? d.metadata->remote_track_counts() : model::RemoteTrackCounts{};
    o["remote_track_count"] = remote.total;  // the copies peers offer of their tracks, and those reachable
    o["remote_available_count"] = remote.available;
    return json_response(200, o);
  });
  r.post("/api/admin/storage/integrity-check", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (!d.tasks->start_integrity_check()) model::throw_conflict("A storage task is already running");
    return json_response(200, started("integrity-check"));
  });
  r.post("/api/admin/storage/sync", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (!d.tasks->start_sync()) model::throw_conflict("A storage task is already running");
    return json_response(200, started("sync"));
  });
  r.get("/api/admin/storage/task-status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    return json_response(200, task_status(d.tasks->state()));
  });
}

}  // namespace st::api
