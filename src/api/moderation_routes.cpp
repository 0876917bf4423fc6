// Listeners report tracks; admins review reports (pending first), resolve or dismiss them, browse
// tracks with their pending report counts, and remove tracks.
#include <fmt/format.h>

#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

json::object report_json(const model::Report& r) {
  json::object o;
  o["id"] = r.id;
  o["track_id"] = r.track_id.empty() ? json::value(nullptr) : json::value(r.track_id);
  o["track_title"] = r.track_title.value_or("[Deleted]");
  o["track_artist"] = nullable(r.track_artist);
  o["is_local"] = true;
  o["reporter_username"] = r.reporter_username;
  o["reason"] = r.reason;
  o["status"] = r.status;
  o["admin_note"] = nullable(r.admin_note);
  o["created_at"] = util::to_rfc3339(r.created_at);
  o["resolved_at"] = r.resolved_at ? json::value(util::to_rfc3339(*r.resolved_at)) : json::value(nullptr);
  return o;
}

json::object message(std::string m) {
  json::object o;
  o["message"] = std::move(m);
  return o;
}

}  // namespace

void add_moderation_routes(http::Router& r, ModerationDeps& d) {
  r.post("/api/tracks/{id}/report", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found."));
    if (!t) model::throw_not_found("Track not found.");
    auto body = parse_object(req);
    std::string reason(util::trim(require_string(body, "reason")));
    if (reason.empty() || reason.size() > 500) model::throw_bad_request("Reason must be between 1 and 500 characters.");
    model::Report rep;
    rep.id = util::new_uuid();
    rep.track_id = t->id;
    rep.user_id = who.user.id;
    rep.reason = reason;
    rep.created_at = util::now_micros();
    if (!d.reports->create(rep)) model::throw_conflict("You have already reported this track.");
    json::object o;
    o["id"] = rep.id;
    o["message"] = "Report submitted. Thank you.";
    return json_response(200, o);
  });

  r.get("/api/admin/reports", [&d](http::Request& req) {
    require_admin(d.guard, req);
    json::array a;
    for (const auto& rep : d.reports->list()) a.push_back(report_json(rep));
    return json_response(200, a);
  });

  r.get("/api/admin/reports/stats", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto c = d.reports->counts();
    json::object o;
    o["pending"] = c.pending;
    o["resolved"] = c.resolved;
    o["dismissed"] = c.dismissed;
    o["total"] = c.pending + c.resolved + c.dismissed;
    return json_response(200, o);
  });

  r.put("/api/admin/reports/{id}", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    auto rep = d.reports->find(uuid_param(req, "id", "Report not found"));
    if (!rep) model::throw_not_found("Report not found");
    auto body = parse_object(req);
    auto action = require_string(body, "action");
    if (action != "resolved" && action != "dismissed") model::throw_bad_request("action must be resolved or dismissed");
    auto track_action = optional_string(body, "track_action").value_or("none");
    if (track_action != "none" && track_action != "delete")
      model::throw_bad_request("track_action must be delete or none");
    auto note = optional_string(body, "admin_note");
    if (note && note->size() > 500) model::throw_bad_request("admin_note must be at most 500 characters");
    std::string done = "No action on the track.";
    auto now = util::now_micros();
    if (action == "resolved" && track_action == "delete" && !rep->track_id.empty()) {
      if (auto t = d.catalog->find_track(rep->track_id)) {
        d.reports->resolve_all_for_track(t->id, "Track removed by moderation", who.user.id, now);
        remove_track(d.files, *t);
        done = "Track deleted.";
      }
    }
    d.reports->resolve(rep->id, action, note, who.user.id, now);
    return json_response(200, message(fmt::format("Report {}. {}", action, done)));
  });

  r.get("/api/admin/tracks/browse", [&d](http::Request& req) {
    require_admin(d.guard, req);
    auto page = page_param(req, 50, 100);
    auto res = d.reports->browse(req.query("search"), page);
    json::array a;
    for (const auto& row : res.items) {
      json::object o;
      o["id"] = row.id;
      o["title"] = row.title;
      o["artist_name"] = row.artist_name;
      o["is_local"] = true;
      o["format"] = row.format;
      o["play_count"] = row.play_count;
      o["report_count"] = row.report_count;
      o["created_at"] = util::to_rfc3339(row.created_at);
      a.push_back(std::move(o));
    }
    return json_response(200, paginated(std::move(a), res.total, page));
  });

  r.del("/api/admin/tracks/{id}/moderate", [&d](http::Request& req) {
    auto who = require_admin(d.guard, req);
    auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found"));
    if (!t) model::throw_not_found("Track not found");
    d.reports->resolve_all_for_track(t->id, "Track removed by moderation", who.user.id, util::now_micros());
    remove_track(d.files, *t);
    return json_response(200, message("Local track deleted."));
  });
}

}  // namespace st::api
