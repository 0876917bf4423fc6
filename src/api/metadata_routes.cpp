// Metadata coverage and MusicBrainz enrichment: /api/admin/metadata/status, enrich/{track_id},
// enrich-all with its task-status and task-dismiss (the original's shapes).
#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"

namespace st::api {

namespace {

json::value optional_int(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object result_json(const library::MetadataResult& r) {
  json::object o;
  o["track_id"] = r.track_id;
  o["status"] = r.status;
  o["recording_mbid"] = nullable(r.recording_mbid);
  o["corrected_title"] = nullable(r.corrected_title);
  o["artist_mbid"] = nullable(r.artist_mbid);
  o["artist_name"] = nullable(r.artist_name);
  o["album_mbid"] = nullable(r.album_mbid);
  o["album_title"] = nullable(r.album_title);
  o["genre"] = nullable(r.genre);
  o["year"] = optional_int(r.year);
  o["cover_url"] = nullable(r.cover_url);
  if (r.message) o["message"] = *r.message;
  return o;
}

json::object task_json(const library::EnrichTaskState& s) {
  using S = library::EnrichTaskState::Status;
  json::object o;
  switch (s.status) {
    case S::idle:
      o["status"] = "idle";
      return o;
    case S::running: {
      o["status"] = "running";
      json::object p;
      p["processed"] = s.processed;
      p["total"] = s.total;
      p["enriched"] = s.enriched;
      p["not_found"] = s.not_found;
      p["errors"] = s.errors;
      p["current_track"] = nullable(s.current_track);
      o["progress"] = std::move(p);
      return o;
    }
    case S::error:
      o["status"] = "error";
      o["message"] = s.message;
      return o;
    case S::completed:
      break;
  }
  o["status"] = "completed";
  json::object r;
  r["total_processed"] = s.processed;
  r["enriched"] = s.enriched;
  r["not_found"] = s.not_found;
  r["errors"] = s.errors;
  r["already_enriched"] = s.already_enriched;
  o["result"] = std::move(r);
  return o;
}

library::MetadataEnricher& enricher(MetadataDeps& d) {
  if (!d.enricher) throw model::DomainError(model::ErrorKind::unavailable, "Metadata enrichment is not available");
  return *d.enricher;
}

}  // namespace

void add_metadata_routes(http::Router& r, MetadataDeps& d) {
  r.get("/api/admin/metadata/status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto m = d.catalog->metadata_counts();
    json::object o;
    o["total_tracks"] = m.total_tracks;
    o["enriched_tracks"] = m.enriched_tracks;
    o["pending_tracks"] = m.total_tracks - m.enriched_tracks;
    o["tracks_with_bitrate"] = m.tracks_with_bitrate;
    o["total_albums"] = m.total_albums;
    o["albums_with_cover"] = m.albums_with_cover;
    auto remote = d.metadata ? d.metadata->remote_track_counts() : model::RemoteTrackCounts{};
    o["total_remote_tracks"] = remote.total;
    o["available_remote_tracks"] = remote.available;
    if (d.metadata) {  // ours: how many local tracks have their waveform yet (computed in the background)
      auto w = d.metadata->waveform_counts();
      o["local_tracks"] = w.local_tracks;
      o["tracks_with_waveform"] = w.with_waveform;
    }
    return json_response(200, o);
  });
  r.post("/api/admin/metadata/enrich/{track_id}", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto id = uuid_param(req, "track_id", "Track not found");
    return json_response(200, result_json(enricher(d).enrich(id)));
  });
  r.post("/api/admin/metadata/enrich-all", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (!enricher(d).start_all()) model::throw_conflict("Metadata enrichment is already running");
    json::object o;
    o["status"] = "started";
    o["task"] = "metadata-enrichment";
    return json_response(200, o);
  });
  r.get("/api/admin/metadata/task-status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    return json_response(200, task_json(enricher(d).state()));
  });
  r.post("/api/admin/metadata/task-dismiss", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (!enricher(d).dismiss()) model::throw_conflict("Metadata enrichment is running");
    json::object o;
    o["status"] = "dismissed";
    return json_response(200, o);
  });
}

}  // namespace st::api
