// Favorites, listening history (which counts plays), trending tracks and public user profiles.
#include <cmath>

#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/routes.hpp"
#include "library/radio.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

json::object history_entry(const model::HistoryEntry& e) {
  json::object o;
  o["id"] = e.id;
  o["track_id"] = e.track.id;
  o["track"] = track_response(e.track);
  o["listened_at"] = util::to_rfc3339(e.listened_at);
  o["duration_listened"] = std::round(e.duration_listened * 1000.0) / 1000.0;
  o["source_context"] = nullable(e.source_context);
  o["completed"] = e.completed;
  o["skipped"] = e.skipped;
  return o;
}

std::string existing_track(ActivityDeps& d, const http::Request& req, std::string_view param) {
  auto id = uuid_param(req, param, "Track not found");
  if (!d.catalog->find_track(id)) model::throw_not_found("Track not found");
  return id;
}

double number(const json::object& o, std::string_view key, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) model::throw_bad_request("Missing field '" + std::string(key) + "'");
    return 0;
  }
  const auto& v = it->value();
  double x = v.is_double() ? v.as_double() : v.is_int64() ? static_cast<double>(v.as_int64())
                                            : v.is_uint64() ? static_cast<double>(v.as_uint64())
                                                            : -1;
  if (!(x >= 0) || x > 1e7) model::throw_bad_request("Field '" + std::string(key) + "' must be a number of seconds");
  return x;
}

}  // namespace

void add_activity_routes(http::Router& r, ActivityDeps& d) {
  r.get("/api/favorites", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto page = page_param(req);
    auto res = d.activity->favorites(who.user.id, page);
    return json_response(
        200, paginated(to_array(res.items, [](const auto& t) { return track_response(t); }), res.total, page));
  });
  r.get("/api/favorites/check", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto raw = req.query("track_ids");
    if (!raw) model::throw_bad_request("Missing query parameter 'track_ids'");
    std::vector<std::string> ids;
    for (auto part : util::split(*raw, ','))
      if (auto id = util::normalize_uuid(util::trim(part)); id && ids.size() < 500) ids.push_back(*id);
    json::array a;
    for (const auto& id : d.activity->favorited_among(who.user.id, ids)) a.push_back(json::value(id));
    return json_response(200, a);
  });
  r.post("/api/favorites/{track_id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    d.activity->add_favorite(who.user.id, existing_track(d, req, "track_id"), util::now_micros());
    return http::Response::empty(204);
  });
  r.del("/api/favorites/{track_id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    d.activity->remove_favorite(who.user.id, uuid_param(req, "track_id", "Track not found"));
    return http::Response::empty(204);
  });

  r.post("/api/history", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto track_id = util::normalize_uuid(require_string(body, "track_id"));
    auto track = track_id ? d.catalog->find_track(*track_id) : std::nullopt;
    if (!track) model::throw_not_found("Track not found");
    model::Listen l;
    l.id = util::new_uuid();
    l.user_id = who.user.id;
    l.track_id = *track_id;
    l.listened_at = util::now_micros();
    l.duration_listened = number(body, "duration_listened", true);
    l.source_context = optional_string(body, "source_context");
    if (l.source_context && l.source_context->size() > 64) l.source_context->resize(64);
    l.completed = optional_bool(body, "completed").value_or(false);
    l.skipped = optional_bool(body, "skipped").value_or(false);
    if (body.contains("skip_position") && !body.at("skip_position").is_null())
      l.skip_position = number(body, "skip_position", false);
    d.activity->record_listen(l);
    // Queued for Last.fm and ListenBrainz when the rules count it; the listen began that long ago.
    if (d.scrobbler)
      d.scrobbler->listened(who.user.id, *track,
                            l.listened_at - static_cast<util::Micros>(l.duration_listened * 1'000'000), l.duration_listened);
    return http::Response::empty(201);
  });
  r.get("/api/history", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto page = page_param(req);
    auto res = d.activity->history(who.user.id, page);
    return json_response(200, paginated(to_array(res.items, history_entry), res.total, page));
  });
  r.get("/api/history/recent", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto per_page = page_param(req, 6, 50).per_page;
    return json_response(200, to_array(d.activity->recent_distinct(who.user.id, per_page), history_entry));
  });

  r.get("/api/tracks/trending", [&d](http::Request& req) {
    gate(d.guard, req);
    auto window = req.query("window").value_or("24h");
    std::int64_t hours = window == "1h" ? 1 : window == "7d" ? 24 * 7 : 24;
    auto limit = count_param(req, "limit", 20, 100);
    auto tracks = d.activity->trending(util::now_micros() - hours * 3'600'000'000LL, limit);
    return json_response(200, to_array(tracks, [](const auto& t) { return track_response(t); }));
  });

  r.post("/api/radio/next", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    library::RadioRequest rr;
    rr.seed_type = require_string(body, "seed_type");
    if (auto id = optional_string(body, "seed_id")) {
      auto norm = util::normalize_uuid(*id);
      if (!norm) model::throw_not_found("Seed not found");
      rr.seed_id = *norm;
    }
    rr.genre = optional_string(body, "genre");
    if (body.contains("count") && !body.at("count").is_null()) {
      auto n = require_int(body, "count");
      if (n < 1 || n > 20) model::throw_bad_request("count must be between 1 and 20");
      rr.count = static_cast<int>(n);
    }
    if (auto it = body.find("exclude"); it != body.end() && !it->value().is_null()) {
      if (!it->value().is_array()) model::throw_bad_request("exclude must be an array of track ids");
      for (const auto& v : it->value().as_array()) {
        if (rr.exclude.size() >= 2000) break;
        if (v.is_string())
          if (auto id = util::normalize_uuid(std::string(v.as_string()))) rr.exclude.push_back(*id);
      }
    }
    rr.user_id = who.user.id;
    library::Radio radio(*d.catalog, *d.activity);
    auto res = radio.next(rr);
    json::object o;
    o["tracks"] = to_array(res.tracks, [](const auto& t) { return track_response(t); });
    o["exhausted"] = res.exhausted;
    return json_response(200, o);
  });

  r.get("/api/users/{id}", [&d](http::Request& req) {
    gate(d.guard, req);
    auto u = d.accounts.get_user(uuid_param(req, "id", "User not found"));
    json::object o;
    o["id"] = u.id;
    o["username"] = u.username;
    o["display_name"] = nullable(u.display_name);
    o["avatar_url"] = nullable(u.avatar_url);
    o["playlists"] = to_array(d.playlists->list_by_user(u.id, true, {1, 100}).items, playlist_response);
    return json_response(200, o);
  });
}

}  // namespace st::api
