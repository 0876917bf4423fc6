// Editing and deleting tracks: the uploader or an admin. Deleting an upload deletes its file too;
// a file scanned from MUSIC_FOLDERS is the owner's and stays on disk.
#include <filesystem>

#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {

model::Track editable(TrackEditDeps& d, const http::Request& req, const auth::AuthenticatedUser& who, const char* verb) {
  auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found"));
  if (!t) model::throw_not_found("Track not found");
  if (!who.is_admin() && t->uploaded_by != who.user.id)
    model::throw_forbidden(std::string("You can only ") + verb + " your own tracks");
  return *t;
}

std::optional<int> small_int(const json::object& body, const char* key, int min, int max) {
  if (!body.contains(key) || body.at(key).is_null()) return std::nullopt;
  auto v = require_int(body, key);
  if (v < min || v > max)
    model::throw_bad_request(std::string(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return static_cast<int>(v);
}

bool inside(const std::string& path, const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto p = fs::weakly_canonical(path, ec).string();
  auto r = fs::weakly_canonical(root, ec).string();
  return !r.empty() && p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/';
}

}  // namespace

void remove_track(const TrackFiles& d, const model::Track& t) {
  if (library::is_object_path(t.file_path)) {  // an upload kept in object storage: the row, then the object
    d.catalog->delete_track(t.id);
    if (d.stream_sources) d.stream_sources->forget(t.id);
    auto key = library::object_key(t.file_path);
    if (d.media.media_cache) d.media.media_cache->forget(key);
    try {
      if (d.media.objects) d.media.objects->remove(key);
    } catch (const library::StorageError&) {
      // The row is gone, so the delete succeeded; the object left behind is an orphan that the storage
      // integrity check lists.
    }
    return;
  }
  bool upload = t.uploaded_by && inside(t.file_path, d.audio_storage_path);
  // A scanned file stays where it is (it is the user's), so scans must not bring it back.
  if (!upload) d.catalog->ignore_file(t.file_path, t.file_size, t.file_mtime, util::now_micros());
  d.catalog->delete_track(t.id);
  if (d.stream_sources) d.stream_sources->forget(t.id);
  if (upload) {
    std::error_code ec;
    std::filesystem::remove(t.file_path, ec);
  }
}

void add_track_edit_routes(http::Router& r, TrackEditDeps& d) {
  r.put("/api/tracks/{id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto t = editable(d, req, who, "edit");
    auto body = parse_object(req);
    model::TrackChanges ch;
    if (auto title = optional_string(body, "title")) {
      std::string v(util::trim(*title));
      if (v.empty() || v.size() > 255) model::throw_bad_request("Title must be 1 to 255 characters");
      ch.title = v;
    }
    if (auto genre = optional_string(body, "genre")) {
      std::string v(util::trim(*genre));
      if (v.size() > 128) model::throw_bad_request("Genre must be at most 128 characters");
      ch.genre = v;
    }
    ch.year = small_int(body, "year", 0, 9999);
    ch.track_number = small_int(body, "track_number", 0, 32767);
    ch.disc_number = small_int(body, "disc_number", 0, 32767);
    d.catalog->update_track_fields(t.id, ch);
    return json_response(200, track_response(*d.catalog->find_track(t.id)));
  });

  r.del("/api/tracks/{id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto t = editable(d, req, who, "delete");
    remove_track(d.files, t);
    return http::Response::empty(204);
  });
}

}  // namespace st::api
