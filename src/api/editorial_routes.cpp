// AI editorial playlists: the public list (/api/editorial-playlists) and the admin's status and
// generate (/api/admin/editorial/*), with the original's paths and JSON.
#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "editorial/generator.hpp"

namespace st::api {

void add_editorial_routes(http::Router& r, EditorialDeps& d) {
  r.get("/api/editorial-playlists", [&d](http::Request& req) {
    gate(d.guard, req);
    json::array out;
    if (d.editorial) {
      for (const auto& e : d.editorial->playlists()) {
        json::object o;
        o["id"] = e.playlist.id;
        o["name"] = e.playlist.name;
        o["description"] = e.playlist.description ? json::value(*e.playlist.description) : json::value(nullptr);
        o["cover_url"] = e.playlist.cover_url ? json::value(*e.playlist.cover_url) : json::value(nullptr);
        o["track_count"] = static_cast<std::int64_t>(e.tracks.size());
        json::array tracks;
        for (const auto& t : e.tracks) tracks.push_back(track_response(t, false));
        o["tracks"] = std::move(tracks);
        out.push_back(std::move(o));
      }
    }
    return json_response(200, out);
  });

  r.get("/api/admin/editorial/status", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (!d.editorial) return http::Response::error(503, "Editorial playlists are not available");
    auto s = d.editorial->status();
    json::object o;
    o["ai_configured"] = s.ai_configured;
    o["ai_base_url"] = s.ai_base_url;
    o["ai_model"] = s.ai_model;
    o["last_generated"] = s.last_generated ? json::value(*s.last_generated) : json::value(nullptr);
    o["playlist_count"] = s.playlist_count;
    o["needs_regeneration"] = s.needs_regeneration;
    // Ours, added: a generation in progress and why the last one failed.
    o["running"] = s.running;
    o["last_error"] = s.last_error ? json::value(*s.last_error) : json::value(nullptr);
    return json_response(200, o);
  });

  // Waits for the AI service (up to its timeout, plus one retry): the route's concurrency is bounded by
  // the composition root, so that it never holds the workers serving the catalogue.
  r.post("/api/admin/editorial/generate", [&d](http::Request& req) {
    require_admin(d.guard, req);
    if (!d.editorial) return http::Response::error(503, "Editorial playlists are not available");
    try {
      auto result = d.editorial->generate();
      json::object o;
      o["playlists_created"] = static_cast<std::int64_t>(result.playlists_created);
      o["message"] = result.message;
      return json_response(200, o);
    } catch (const editorial::GenerationBusy& e) {
      return http::Response::error(409, e.what());
    } catch (const editorial::GenerationFailed& e) {
      return http::Response::error(502, e.what());
    }
  });
}

}  // namespace st::api
