// Listening: the original file with HTTP ranges, or a transcode (Opus in Ogg, MP3) that streams while
// it is produced and is served from the cache once complete; and the waveform of a track.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/object_stream.hpp"
#include "api/routes.hpp"
#include "audio/decoder.hpp"
#include "audio/format_sniffer.hpp"
#include "audio/waveform.hpp"
#include "http/range.hpp"
#include "library/best_copy.hpp"
#include "library/replica_wait.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"

namespace st::api {

namespace {

// What the client asked for: nothing (the original) or a transcode.
std::optional<audio::TranscodeSpec> requested_transcode(const http::Request& req, double duration) {
  auto quality = req.query("quality");
  auto format = req.query("format");
  auto bitrate = req.query("bitrate");
  auto offset_raw = req.query("timeOffset");
  double offset = 0;
  if (offset_raw && !offset_raw->empty()) {
    char* end = nullptr;
    offset = std::strtod(offset_raw->c_str(), &end);
    if (end == offset_raw->c_str() || *end != '\0' || !(offset >= 0)) model::throw_bad_request("timeOffset must be seconds");
    if (duration > 0 && offset >= duration) model::throw_bad_request("timeOffset is past the end of the track");
  }
  audio::TranscodeSpec spec;
  spec.offset_secs = offset;
  if (format && !format->empty() && *format != "raw" && *format != "original") {
    if (*format == "opus" || *format == "ogg") spec.codec = audio::Codec::opus;
    else if (*format == "mp3") spec.codec = audio::Codec::mp3;
    else model::throw_bad_request("format must be opus, mp3 or raw");
    spec.bitrate_kbps = spec.codec == audio::Codec::opus ? 128 : 192;
    if (bitrate && !bitrate->empty()) {
      auto b = util::parse_int(*bitrate);
      if (!b || *b < 32 || *b > 320) model::throw_bad_request("bitrate must be between 32 and 320 (kbps)");
      spec.bitrate_kbps = static_cast<int>(*b);
    }
    return spec;
  }
  if (quality && !quality->empty() && *quality != "original") {
    if (*quality == "high") spec.bitrate_kbps = 320;
    else if (*quality == "medium") spec.bitrate_kbps = 128;
    else if (*quality == "low") spec.bitrate_kbps = 64;
    else model::throw_bad_request("quality must be original, high, medium or low");
    return spec;
  }
  if (offset > 0) {  // a byte stream cannot start at a time: seeking needs a transcode
    spec.bitrate_kbps = 320;
    return spec;
  }
  return std::nullopt;
}

json::array floats(const std::vector<float>& v) {
  json::array a;
  a.reserve(v.size());
  for (float x : v) a.push_back(json::value(std::round(static_cast<double>(x) * 1000.0) / 1000.0));
  return a;
}

}  // namespace

std::string local_media_path(const MediaStore& d, const std::string& file_path) {
  if (!library::is_object_path(file_path)) return file_path;
  if (!d.media_cache)
    throw model::DomainError(model::ErrorKind::unavailable, "This track is in object storage, which is not configured");
  try {
    return d.media_cache->local_path(file_path);
  } catch (const library::StorageError& e) {
    throw_storage_error(e);
  }
}

std::string waveform_json(model::CatalogRepository& catalog, const MediaStore& media, const model::Track& t) {
  auto w = audio::compute_waveform(local_media_path(media, t.file_path), t.duration_secs);
  json::object o;
  o["peaks"] = floats(w.peaks);
  o["fine_peaks"] = floats(w.fine_peaks);
  if (w.replaygain_db) {
    o["measured_track_gain_db"] = *w.replaygain_db;
    o["measured_peak"] = *w.peak;
    catalog.set_measured_gain(t.id, *w.replaygain_db, *w.peak);
  }
  auto text = to_json(o);
  catalog.set_waveform(t.id, text);
  return text;
}

namespace {

[[noreturn]] void throw_gone(const std::string& why) { throw model::DomainError(model::ErrorKind::unavailable, why); }

// A copy that cannot be played: its bytes are gone (a replica no peer can provide, a missing file).
bool unplayable(const model::DomainError& e) {
  return e.kind() == model::ErrorKind::unavailable || e.kind() == model::ErrorKind::not_found;
}

std::string fetch_from_peers(StreamDeps& d, const http::Request& req, const std::string& hash) {
  return library::wait_for_replica(*d.p2p, hash, {d.p2p_waits, std::chrono::seconds(30), req.client_gone});
}

// Plays one file: the original bytes (ranges) or a transcode. A replica's bytes come from peers, verified
// against its hash, into the P2P cache. Throws DomainError (unavailable) when the bytes cannot be had.
http::Response play(StreamDeps& d, http::Request& req, model::StreamSource t, const std::optional<audio::TranscodeSpec>& spec) {
  if (util::starts_with(t.path, "p2p://")) {
    if (!d.p2p) throw_gone("P2P node not available");
    if (!t.content_hash) throw_gone("This replicated track has no content hash to fetch it by");
    auto hash = *t.content_hash;  // the path is p2p://<track id> (p2p://<hash> before issue 15)
    // A plain play starts with the first verified chunks; ranges and transcodes wait for the whole file.
    if (!spec && !req.headers.get("Range") && req.method != http::Method::head) {
      if (auto blob = d.p2p->open_progressive(hash)) {
        http::Response res(200);
        res.headers.set("Content-Type", std::string(audio::mime_for_format_name(t.format)));
        res.headers.set("Cache-Control", "no-store");
        res.headers.set("Accept-Ranges", "bytes");
        res.body = http::pull_body(std::move(blob));
        return res;
      }
    }
    t.path = fetch_from_peers(d, req, hash);
  }
  if (library::is_object_path(t.path)) {
    if (!spec) return object_response(d.media, req, t.path, std::string(audio::mime_for_format_name(t.format)));
    t.path = local_media_path(d.media, t.path);  // a transcode reads a local copy
  }
  if (!spec) {
    http::FileOptions o;
    o.content_type = std::string(audio::mime_for_format_name(t.format));
    o.cache_control = "private, max-age=3600";
    auto res = http::file_response(req, t.path, o);
    if (res.status == 404) model::throw_not_found("Audio file not found");
    return res;
  }
  library::TranscodeRequest tr{t.path, t.content_hash.value_or(""), *spec};
  std::string mime(audio::codec_mime(spec->codec));
  if (auto cached = d.transcodes->cached(tr)) {
    http::FileOptions o;
    o.content_type = mime;
    o.cache_control = "private, max-age=3600";
    return http::file_response(req, *cached, o);
  }
  std::unique_ptr<library::TranscodeStream> stream;
  try {
    stream = d.transcodes->start(tr);
  } catch (const audio::AudioError& e) {
    throw model::DomainError(model::ErrorKind::unavailable, std::string("Cannot transcode this track: ") + e.what());
  }
  http::Response res(200);
  res.headers.set("Content-Type", mime);
  res.headers.set("Cache-Control", "no-store");
  // Players use this to show the length of a stream that has no Content-Length.
  res.headers.set("X-Content-Duration", fmt::format("{:.3f}", std::max(0.0, t.duration_secs - spec->offset_secs)));
  if (req.method != http::Method::head) res.body = http::pull_body(std::move(stream));
  return res;
}

// The stream of a local file answered on the network thread, without the hop to a worker (DESIGN.md: a
// seeking player sends a range request per seek, and the hand-offs cost more than serving the range):
// only from memory — the instance's privacy, a session checked moments ago, where the track's file is
// (StreamSourceCache, filled by the worker path below) — and the file itself. Anything else (a first
// play, a transcode, a remote track, a missing file, a session not seen lately) goes to the worker path.
std::optional<http::Response> stream_from_memory(StreamDeps& d, http::Request& req) {
  if (!d.stream_sources || !gate_media_from_memory(d.guard, req)) return std::nullopt;
  auto t = d.stream_sources->find(req.param("id"));
  if (!t || util::starts_with(t->path, "p2p://") || library::is_object_path(t->path)) return std::nullopt;
  if (requested_transcode(req, t->duration_secs)) return std::nullopt;
  http::FileOptions o;
  o.content_type = std::string(audio::mime_for_format_name(t->format));
  o.cache_control = "private, max-age=3600";
  auto res = http::file_response(req, t->path, o);
  if (res.status == 404) return std::nullopt;
  return res;
}

}  // namespace

void add_stream_routes(http::Router& r, StreamDeps& d) {
  r.get("/api/tracks/{id}/stream", [&d](http::Request& req) {
    gate_media(d.guard, req);
    auto id = uuid_param(req, "id", "Track not found");
    auto t = d.catalog->stream_source(id);
    if (!t) model::throw_not_found("Track not found");
    auto spec = requested_transcode(req, t->duration_secs);
    try {
      auto res = play(d, req, *t, spec);
      if (d.stream_sources && !util::starts_with(t->path, "p2p://")) d.stream_sources->put(id, *t);
      return res;
    } catch (const model::DomainError& e) {
      if (!unplayable(e) || !d.track_health) throw;
      // Its own bytes cannot be had (every peer holding them gone, the file missing): the best other copy
      // of the same song plays instead (duplicate resolution, library/best_copy), when there is one.
      for (const auto& other_id : library::stand_in_tracks(d.track_health->song_copies(id), id, t->content_hash)) {
        auto other = d.catalog->stream_source(other_id);
        if (!other) continue;
        try {
          auto res = play(d, req, *other, spec);
          res.headers.set("X-Played-Track-Id", other_id);
          return res;
        } catch (const model::DomainError& again) {
          if (!unplayable(again)) throw;
        }
      }
      throw;
    }
  });
  r.add_fast_path(http::Method::get, "/api/tracks/{id}/stream", [&d](http::Request& req) { return stream_from_memory(d, req); });

  r.get("/api/tracks/{id}/waveform", [&d](http::Request& req) {
    gate(d.guard, req);
    auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found"));
    if (!t) model::throw_not_found("Track not found");
    auto stored = d.catalog->waveform(t->id);
    std::string body;
    if (stored && !stored->empty() && stored->front() == '{') body = *stored;
    else {
      try {
        body = waveform_json(*d.catalog, d.media, *t);
      } catch (const audio::AudioError& e) {
        throw model::DomainError(model::ErrorKind::unavailable, std::string("Cannot decode this track: ") + e.what());
      }
    }
    auto res = http::Response::json(200, std::move(body));
    res.headers.set("Cache-Control", "private, max-age=86400");
    return res;
  });
}

}  // namespace st::api
