// /api/playlists: public listing, the caller's own ("mine", which the original lacks), detail with
// tracks in order, owner-only changes, add/remove/reorder tracks.
#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

json::object playlist_page(const model::Paged<model::Playlist>& r, const model::Page& page) {
  return paginated(to_array(r.items, playlist_response), r.total, page);
}

// A playlist with its tracks in order.
json::object playlist_detail(PlaylistDeps& d, const model::Playlist& p) {
  auto o = playlist_response(p);
  o["tracks"] = to_array(d.playlists->tracks(p.id), [](const auto& t) { return track_response(t); });
  return o;
}

std::string checked_name(const std::string& raw) {
  std::string name(util::trim(raw));
  if (name.empty()) model::throw_bad_request("Playlist name cannot be empty");
  if (name.size() > 255) model::throw_bad_request("Playlist name must be at most 255 characters");
  return name;
}

// The playlist, if the caller owns it: 404 when it does not exist, 403 when it is someone else's.
model::Playlist owned(PlaylistDeps& d, const http::Request& req, const auth::AuthenticatedUser& who) {
  auto p = d.playlists->find(uuid_param(req, "id", "Playlist not found"));
  if (!p) model::throw_not_found("Playlist not found");
  if (p->user_id != who.user.id) model::throw_forbidden("Not your playlist");
  return *p;
}

}  // namespace

void add_playlist_routes(http::Router& r, PlaylistDeps& d) {
  r.get("/api/playlists", [&d](http::Request& req) {
    gate(d.guard, req);
    auto page = page_param(req);
    return json_response(200, playlist_page(d.playlists->list_public(page), page));
  });

  r.get("/api/playlists/mine", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto page = page_param(req, 50, 500);
    return json_response(200, playlist_page(d.playlists->list_by_user(who.user.id, false, page), page));
  });

  r.get("/api/playlists/{id}", [&d](http::Request& req) {
    auto who = gate(d.guard, req);
    auto p = d.playlists->find(uuid_param(req, "id", "Playlist not found"));
    if (!p || (!p->is_public && (!who || who->user.id != p->user_id))) model::throw_not_found("Playlist not found");
    return json_response(200, playlist_detail(d, *p));
  });

  r.post("/api/playlists", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    model::Playlist p;
    p.id = util::new_uuid();
    p.name = checked_name(require_string(body, "name"));
    p.description = optional_string(body, "description");
    p.is_public = optional_bool(body, "is_public").value_or(false);
    p.user_id = who.user.id;
    p.created_at = p.updated_at = util::now_micros();
    d.playlists->create(p);
    return json_response(201, playlist_response(*d.playlists->find(p.id)));
  });

  r.put("/api/playlists/{id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto p = owned(d, req, who);
    auto body = parse_object(req);
    model::PlaylistChanges ch;
    if (auto n = optional_string(body, "name")) ch.name = checked_name(*n);
    ch.description = optional_string(body, "description");
    ch.is_public = optional_bool(body, "is_public");
    ch.cover_url = optional_string(body, "cover_url");
    d.playlists->update(p.id, ch, util::now_micros());
    return json_response(200, playlist_response(*d.playlists->find(p.id)));
  });

  r.del("/api/playlists/{id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    d.playlists->remove(owned(d, req, who).id);
    return http::Response::empty(204);
  });

  r.post("/api/playlists/{id}/tracks", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto p = owned(d, req, who);
    auto body = parse_object(req);
    auto track_id = util::normalize_uuid(require_string(body, "track_id"));
    if (!track_id || !d.catalog->find_track(*track_id)) model::throw_not_found("Track not found");
    std::optional<int> position;
    if (body.contains("position") && !body.at("position").is_null())
      position = static_cast<int>(require_int(body, "position"));
    if (!d.playlists->add_track(p.id, *track_id, position, util::now_micros()))
      model::throw_conflict("Track already in playlist");
    return http::Response::empty(201);
  });

  r.del("/api/playlists/{id}/tracks/{track_id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto p = owned(d, req, who);
    d.playlists->remove_track(p.id, uuid_param(req, "track_id", "Track not found"), util::now_micros());
    return http::Response::empty(204);
  });

  // Added: sets the whole order at once (drag-to-reorder), {"track_ids": [...]} with every track once.
  r.put("/api/playlists/{id}/tracks", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto p = owned(d, req, who);
    auto body = parse_object(req);
    auto it = body.find("track_ids");
    if (it == body.end() || !it->value().is_array()) model::throw_bad_request("Missing field 'track_ids'");
    std::vector<std::string> ids;
    for (const auto& v : it->value().as_array()) {
      auto id = v.is_string() ? util::normalize_uuid(std::string(v.as_string())) : std::nullopt;
      if (!id) model::throw_bad_request("track_ids must be track ids");
      ids.push_back(*id);
    }
    if (!d.playlists->reorder(p.id, ids, util::now_micros()))
      model::throw_bad_request("track_ids must list every track of the playlist exactly once");
    return json_response(200, playlist_detail(d, *d.playlists->find(p.id)));
  });
}

}  // namespace st::api
