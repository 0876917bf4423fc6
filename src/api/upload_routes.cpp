// Uploads: multipart bodies are received into files (never memory), checked by content, stored under
// the uploader's folder and imported; a refused or failed upload leaves no file and no row.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "api/auth_guard.hpp"
#include "api/error_mapper.hpp"
#include "api/json.hpp"
#include "api/object_stream.hpp"
#include "api/routes.hpp"
#include "audio/format_sniffer.hpp"
#include "http/multipart.hpp"
#include "model/errors.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

constexpr std::size_t kMaxBatchFiles = 50;
constexpr std::uint64_t kMaxCoverBytes = 10 * 1024 * 1024;

std::uint64_t max_file_bytes(UploadDeps& d) {
  return static_cast<std::uint64_t>(d.settings.integer("max_upload_size_mb")) * 1024 * 1024;
}

http::MultipartForm read_form(UploadDeps& d, const http::Request& req, std::size_t max_parts) {
  auto boundary = http::multipart_boundary(req.headers.get("Content-Type").value_or(""));
  if (!boundary) model::throw_bad_request("Expected a multipart/form-data body");
  if (req.body_file.empty()) model::throw_bad_request("Empty request body");
  http::MultipartLimits limits;
  limits.max_parts = max_parts;
  limits.max_file_bytes = max_file_bytes(d);
  auto form = http::parse_multipart(req.body_file, *boundary, d.temp_dir, limits);
  if (form.too_large)
    throw model::DomainError(model::ErrorKind::payload_too_large,
                             fmt::format("File too large (limit {} MB)", d.settings.integer("max_upload_size_mb")));
  if (!form.error.empty()) model::throw_bad_request("Malformed upload: " + form.error);
  return form;
}


// STORAGE_BACKEND=s3: the imported file goes to the store under the path it has in the upload storage,
// the row then names the object, and the local file becomes the media cache's copy. When the store fails,
// the track is removed again (row and file): the upload failed as a whole, with the store's error.
std::optional<model::Track> store_object(UploadDeps& d, model::Track t, const std::string& path) {
  std::error_code ec;
  auto root = std::filesystem::weakly_canonical(d.files.audio_storage_path, ec);
  std::string key = std::filesystem::weakly_canonical(path, ec).lexically_relative(root).generic_string();
  if (ec || key.empty() || key.starts_with("..")) throw std::runtime_error("an upload outside the upload storage");
  try {
    // The local name was unique among local files; the store may hold an earlier upload of that name
    // whose local copy is gone: never overwrite it.
    if (d.files.media.objects->head(key)) {
      auto p = std::filesystem::path(key);
      key = (p.parent_path() / (p.stem().string() + "_" + util::new_uuid().substr(0, 8) + p.extension().string()))
                .generic_string();
    }
    d.files.media.objects->put_file(key, path, std::string(audio::mime_for_format_name(t.format)));
  } catch (const library::StorageError& e) {
    remove_track(d.files, t);
    throw_storage_error(e);
  }
  t.file_path = std::string(library::kObjectScheme) + key;
  d.catalog->update_track_file(t);
  if (d.files.media.media_cache) d.files.media.media_cache->adopt(key, path);
  return t;
}

// Keeps and imports one received file part. Throws DomainError for what the uploader must fix.
json::object import_part(UploadDeps& d, http::MultipartForm& form, const http::MultipartPart& part,
                         const std::string& user_id, const library::ImportOptions& base) {
  std::string filename = part.filename.value_or("upload");
  std::string path = d.uploads->keep(part.file_path, filename, user_id);
  form.take(part);
  // Whatever happens below, the file ends with a committed row or removed, and the journal settled.
  auto drop = [&d](const std::string& p) {
    std::error_code ec;
    std::filesystem::remove(p, ec);
    d.uploads->settled(p);
  };
  try {
    path = d.uploads->playable(path);
  } catch (const std::exception& e) {
    drop(path);
    model::throw_bad_request(e.what());
  }
  library::ImportOptions opts = base;
  opts.uploaded_by = user_id;
  opts.reject_duplicates = true;
  library::ImportOutcome o;
  try {
    o = d.importer->import_file(path, opts);
  } catch (...) {
    drop(path);
    throw;
  }
  if (o.status != library::ImportStatus::added) {
    drop(path);
    switch (o.status) {
      case library::ImportStatus::skipped_not_audio:
        model::throw_bad_request("File content does not match a recognized audio format");
      case library::ImportStatus::duplicate:
        model::throw_conflict("This exact file is already in the library");
      default:
        model::throw_bad_request("Cannot read this audio file: " + o.message);
    }
  }
  d.uploads->settled(path);  // its row is committed
  auto t = d.catalog->find_track(o.track_id);
  if (!t) throw std::runtime_error("imported track vanished");
  try {
    waveform_json(*d.catalog, d.files.media, *t);  // one file: cheap enough to do now, so the player has it at once
  } catch (const std::exception&) {
    // A file TagLib reads but FFmpeg cannot decode keeps no waveform; the endpoint will say why.
  }
  if (d.files.media.objects) t = store_object(d, std::move(*t), path);
  json::object r;
  r["id"] = t->id;
  r["title"] = t->title;
  r["duration"] = std::round(t->duration_secs * 1000.0) / 1000.0;
  r["format"] = t->format;
  r["message"] = "Track uploaded successfully";
  return r;
}

}  // namespace

std::optional<std::uint64_t> upload_body_limit(UploadDeps& d, http::Method m, std::string_view path) {
  if (m != http::Method::post) return std::nullopt;
  // Multipart framing and small text fields on top of the file(s).
  constexpr std::uint64_t overhead = 1024 * 1024;
  if (path == "/api/upload") return max_file_bytes(d) + overhead;
  if (path == "/api/upload/batch") return max_file_bytes(d) * kMaxBatchFiles + overhead;
  if (path.starts_with("/api/albums/") && path.ends_with("/cover")) return kMaxCoverBytes + overhead;
  return std::nullopt;
}

std::optional<http::Response> authorize_upload(UploadDeps& d, const http::Request& req) {
  try {
    require_user(d.guard, req);  // the same check the handlers make, from the headers alone
    return std::nullopt;
  } catch (const model::DomainError& e) {
    return response_for(e);
  }
}

void add_upload_routes(http::Router& r, UploadDeps& d) {
  r.post("/api/upload", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto form = read_form(d, req, 16);
    auto files = form.files("file");
    if (files.empty()) model::throw_bad_request("No file provided");
    library::ImportOptions opts;
    if (auto* f = form.field("title")) opts.title = f->value;
    if (auto* f = form.field("artist")) opts.artist = f->value;
    if (auto* f = form.field("album")) opts.album = f->value;
    return json_response(200, import_part(d, form, *files.front(), who.user.id, opts));
  });

  r.post("/api/albums/{id}/cover", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto album = d.catalog->find_album(uuid_param(req, "id", "Album not found"));
    if (!album) model::throw_not_found("Album not found");
    if (!who.is_admin()) {
      // Only an album that is wholly the user's: one shared track must not let them restyle others' albums.
      model::TrackFilter all;
      all.album_id = album->id;
      model::TrackFilter mine = all;
      mine.uploaded_by = who.user.id;
      auto theirs = d.catalog->list_tracks(mine, model::TrackOrder::newest, {1, 1}).total;
      if (theirs == 0 || theirs != d.catalog->list_tracks(all, model::TrackOrder::newest, {1, 1}).total)
        model::throw_forbidden("Only an admin or the uploader of all of this album's tracks can change its cover");
    }
    auto boundary = http::multipart_boundary(req.headers.get("Content-Type").value_or(""));
    if (!boundary || req.body_file.empty()) model::throw_bad_request("Expected a multipart/form-data body");
    http::MultipartLimits limits;
    limits.max_parts = 8;
    limits.max_file_bytes = kMaxCoverBytes;
    auto form = http::parse_multipart(req.body_file, *boundary, d.temp_dir, limits);
    if (form.too_large) throw model::DomainError(model::ErrorKind::payload_too_large, "Cover too large (limit 10 MB)");
    if (!form.error.empty()) model::throw_bad_request("Malformed upload: " + form.error);
    auto files = form.files("cover");
    if (files.empty()) files = form.files("file");
    if (files.empty()) model::throw_bad_request("No cover provided");
    std::ifstream in(files.front()->file_path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 4) model::throw_bad_request("Cover file is too small");
    auto ext = library::image_extension(bytes);
    if (ext != "jpg" && ext != "png" && ext != "webp") model::throw_bad_request("Cover must be a JPEG, PNG or WebP image");
    if (auto why = library::CoverStore::refusal(bytes); !why.empty()) model::throw_bad_request("Cover refused: " + why);
    std::optional<std::string> url;
    try {
      url = d.covers->store(bytes);
    } catch (const library::StorageError& e) {
      throw_storage_error(e);
    }
    if (!url) throw std::runtime_error("cannot store the cover");
    d.catalog->set_album_cover(album->id, *url, false);
    json::object o;
    o["message"] = "Cover updated successfully";
    o["cover_url"] = *url;
    return json_response(200, o);
  });

  r.post("/api/upload/batch", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto form = read_form(d, req, kMaxBatchFiles + 8);
    auto files = form.files("files");
    for (const auto* f : form.files("file")) files.push_back(f);
    if (files.empty()) model::throw_bad_request("No files provided");
    if (files.size() > kMaxBatchFiles)
      model::throw_bad_request(fmt::format("Too many files. Maximum is {}", kMaxBatchFiles));
    json::array results;
    int ok = 0, failed = 0;
    for (const auto* part : files) {
      json::object one;
      one["filename"] = part->filename.value_or("");
      try {
        one["track"] = import_part(d, form, *part, who.user.id, {});
        one["success"] = true;
        ++ok;
      } catch (const model::DomainError& e) {
        one["success"] = false;
        one["error"] = e.what();
        ++failed;
      }
      results.push_back(std::move(one));
    }
    json::object o;
    o["results"] = std::move(results);
    o["total"] = ok + failed;
    o["success"] = ok;
    o["failed"] = failed;
    return json_response(200, o);
  });
}

}  // namespace st::api
