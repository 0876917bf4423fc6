// Media retrieval: stream (original with ranges, or a transcode honouring maxBitRate, format and
// timeOffset, optionally with an estimated Content-Length), download, getCoverArt (with size),
// getLyrics, getLyricsBySongId (songLyrics), getAvatar.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "audio/decoder.hpp"
#include "audio/format_sniffer.hpp"
#include "http/range.hpp"
#include "library/best_copy.hpp"
#include "library/lyrics.hpp"
#include "library/replica_wait.hpp"
#include "model/errors.hpp"
#include "subsonic/items.hpp"
#include "subsonic/media.hpp"
#include "subsonic/sections.hpp"
#include "util/fold.hpp"
#include "util/strings.hpp"

namespace st::subsonic {

namespace {

class TranscodeBody final : public http::PullSource {
 public:
  TranscodeBody(std::unique_ptr<library::TranscodeStream> s, std::optional<std::uint64_t> exact)
      : s_(std::move(s)), size_(exact) {}

  std::size_t read(char* buf, std::size_t n) override {
    if (!size_) return s_->read(buf, n);
    // An announced length is kept exactly: the tail is cut, or padded with zeros (which MP3 and Ogg
    // decoders skip as junk after the last frame).
    if (sent_ >= *size_) return 0;
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *size_ - sent_));
    std::size_t got = done_ ? 0 : s_->read(buf, n);
    if (got == 0) {
      done_ = true;
      std::memset(buf, 0, n);
      got = n;
    }
    sent_ += got;
    return got;
  }
  std::optional<std::uint64_t> size() const override { return size_; }

 private:
  std::unique_ptr<library::TranscodeStream> s_;
  std::optional<std::uint64_t> size_;
  std::uint64_t sent_ = 0;
  bool done_ = false;
};

}  // namespace

std::string local_file(Deps& d, const http::Request& req, const model::Track& t) {
  static constexpr std::string_view kRemote = "p2p://";
  if (library::is_object_path(t.file_path)) {
    if (!d.media_cache) fail(Code::generic, "This song is in object storage, which is not configured");
    try {
      return d.media_cache->local_path(t.file_path);
    } catch (const library::StorageError& e) {
      fail(Code::generic, std::string("This song's storage cannot be reached: ") + e.what());
    }
  }
  if (t.file_path.compare(0, kRemote.size(), kRemote) != 0) return t.file_path;
  if (!d.p2p) fail(Code::generic, "This song is on another instance and peer-to-peer sharing is off");
  if (!t.content_hash) fail(Code::generic, "This song is on another instance but has no content hash to fetch it by");
  try {
    return library::wait_for_replica(*d.p2p, *t.content_hash,
                                     {d.p2p_waits, std::chrono::seconds(30), req.client_gone});
  } catch (const model::DomainError& e) {
    fail(Code::generic, std::string("This song is on another instance: ") + e.what());
  }
}

std::optional<audio::TranscodeSpec> stream_decision(const model::Track& t, const std::optional<std::string>& format,
                                                    std::int64_t max_bitrate, double offset) {
  auto f = util::to_lower(format.value_or(""));
  if (f == "raw") return std::nullopt;
  audio::TranscodeSpec spec;
  spec.offset_secs = offset;
  bool asked = !f.empty();
  if (asked) {
    if (f == "mp3") spec.codec = audio::Codec::mp3;
    else if (f == "opus" || f == "ogg" || f == "oga") spec.codec = audio::Codec::opus;
    else if (f == "flac") spec.codec = audio::Codec::flac;
    else fail(Code::generic, fmt::format("Cannot transcode to {}: use mp3, opus, flac or raw", f));
  } else {
    spec.codec = audio::Codec::mp3;  // what every Subsonic app can play
  }
  bool too_big = max_bitrate > 0 && (!t.bitrate || *t.bitrate > max_bitrate);
  // A request for the same format at no lower bit rate is the original itself.
  if (asked && util::to_lower(t.format) == (f == "ogg" || f == "oga" ? "opus" : f) && !too_big && offset <= 0)
    return std::nullopt;
  if (!asked && !too_big && offset <= 0) return std::nullopt;
  int cap = spec.codec == audio::Codec::opus ? 256 : 320;
  int rate = max_bitrate > 0 ? static_cast<int>(std::min<std::int64_t>(max_bitrate, cap)) : (spec.codec == audio::Codec::opus ? 160 : 320);
  spec.bitrate_kbps = std::max(32, rate);
  return spec;
}

namespace {

// A song whose bytes cannot be had here (a replica no peer can provide, a missing file): another copy of
// the same song may play instead; the message is the error when none can.
struct Unplayable {
  Code code;
  std::string message;
};

http::Response play_file(Deps& d, const http::Request& req, const model::Track& t,
                         const std::optional<audio::TranscodeSpec>& spec, bool estimate_length) {
  static constexpr std::string_view kRemote = "p2p://";
  if (!spec && d.p2p && t.content_hash && t.file_path.compare(0, kRemote.size(), kRemote) == 0 &&
      !req.headers.get("Range") && req.method != http::Method::head) {
    // A replicated track plays as soon as its first verified chunks arrive; ranges wait for the file.
    try {
      if (auto blob = d.p2p->open_progressive(*t.content_hash)) {
        http::Response res(200);
        res.headers.set("Content-Type", std::string(audio::mime_for_format_name(t.format)));
        res.headers.set("Cache-Control", "no-store");
        res.headers.set("Accept-Ranges", "bytes");
        res.body = http::pull_body(std::move(blob));
        return res;
      }
    } catch (const model::DomainError& e) {
      throw Unplayable{Code::generic, std::string("This song is on another instance: ") + e.what()};
    }
  }
  std::string path;
  try {
    path = local_file(d, req, t);
  } catch (const Error& e) {
    throw Unplayable{e.code(), e.what()};
  }
  if (!spec) {
    http::FileOptions o;
    o.content_type = std::string(audio::mime_for_format_name(t.format));
    o.cache_control = "private, max-age=3600";
    auto res = http::file_response(req, path, o);
    if (res.status == 404) throw Unplayable{Code::not_found, "The audio file of this song is missing"};
    return res;
  }
  library::TranscodeRequest tr{path, t.content_hash.value_or(""), *spec};
  std::string mime(audio::codec_mime(spec->codec));
  if (auto cached = d.transcodes.cached(tr)) {
    http::FileOptions o;
    o.content_type = mime;
    o.cache_control = "private, max-age=3600";
    return http::file_response(req, *cached, o);
  }
  std::unique_ptr<library::TranscodeStream> stream;
  try {
    stream = d.transcodes.start(tr);
  } catch (const audio::AudioError& e) {
    fail(Code::generic, std::string("Cannot transcode this song: ") + e.what());
  }
  double remaining = std::max(0.0, t.duration_secs - spec->offset_secs);
  std::optional<std::uint64_t> size;
  if (estimate_length && spec->codec != audio::Codec::flac)
    size = static_cast<std::uint64_t>(std::ceil(remaining * spec->bitrate_kbps * 1000.0 / 8.0));
  http::Response res(200);
  res.headers.set("Content-Type", mime);
  res.headers.set("Cache-Control", "no-store");
  res.headers.set("X-Content-Duration", fmt::format("{:.3f}", remaining));
  if (req.method != http::Method::head)
    res.body = std::shared_ptr<http::PullSource>(std::make_shared<TranscodeBody>(std::move(stream), size));
  else if (size)
    res.headers.set("Content-Length", std::to_string(*size));
  return res;
}

}  // namespace

http::Response stream_track(Deps& d, const http::Request& req, const model::Track& t,
                            const std::optional<audio::TranscodeSpec>& spec, bool estimate_length) {
  try {
    return play_file(d, req, t, spec, estimate_length);
  } catch (const Unplayable& gone) {
    // The best other copy of the same song plays instead (duplicate resolution, library/best_copy), as
    // GET /api/tracks/{id}/stream does.
    if (d.track_health) {
      for (const auto& other_id : library::stand_in_tracks(d.track_health->song_copies(t.id), t.id, t.content_hash)) {
        auto other = d.catalog.find_track(other_id);
        if (!other) continue;
        try {
          auto res = play_file(d, req, *other, spec, estimate_length);
          res.headers.set("X-Played-Track-Id", other_id);
          return res;
        } catch (const Unplayable&) {
        }
      }
    }
    fail(gone.code, gone.message);
  }
}

namespace {

Reply stream(Call& c) {
  auto t = require_song(c, c.str("id"));
  double offset = 0;
  if (auto raw = c.opt_str("timeOffset"); raw && !raw->empty()) {
    char* end = nullptr;
    offset = std::strtod(raw->c_str(), &end);
    if (end == raw->c_str() || *end != '\0' || !(offset >= 0)) fail(Code::generic, "timeOffset must be seconds");
    if (t.duration_secs > 0 && offset >= t.duration_secs) fail(Code::generic, "timeOffset is past the end of the song");
  }
  auto spec = stream_decision(t, c.opt_str("format"), c.int_or("maxBitRate", 0, 0, 100'000), offset);
  auto now = std::chrono::steady_clock::now();
  auto left = std::chrono::seconds(static_cast<std::int64_t>(std::max(1.0, t.duration_secs - offset)));
  // Only for clients that never report what they play: others preload the next song with stream.
  if (!c.d.now_playing.reports(c.user.id, c.client))
    c.d.now_playing.playing({c.user.id, c.user.username, t.id, c.client, now, now + left});
  return stream_track(c.d, c.req, t, spec, c.opt_bool("estimateContentLength").value_or(false));
}

// The original bytes, as an attachment.
Reply download(Call& c) {
  auto t = require_song(c, c.str("id"));
  auto res = stream_track(c.d, c.req, t, std::nullopt, false);
  auto name = std::filesystem::path(t.file_path).filename().string();
  std::string safe;
  for (char ch : name) safe += (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ? '_' : ch;
  res.headers.set("Content-Disposition", fmt::format("attachment; filename=\"{}\"", safe));
  return res;
}

// The cover file of an album, song, artist or playlist id.
std::optional<std::string> cover_file(Call& c, std::string_view raw) {
  std::string_view s = raw;
  for (std::string_view prefix : {"al-", "ar-", "tr-", "pl-"})
    if (s.rfind(prefix, 0) == 0) s.remove_prefix(prefix.size());
  auto id = as_id(s);
  if (!id) return std::nullopt;
  auto from_url = [&](const std::optional<std::string>& url) -> std::optional<std::string> {
    static constexpr std::string_view kMedia = "/api/media/";
    if (!url || url->rfind(kMedia, 0) != 0) return std::nullopt;
    return c.d.covers.file(std::string_view(*url).substr(kMedia.size()));
  };
  if (auto al = c.d.catalog.find_album(*id)) return from_url(al->cover_url);
  if (auto t = c.d.catalog.find_track(*id)) return from_url(t->cover_url);
  if (auto ar = c.d.catalog.find_artist(*id)) {
    for (const auto& al : c.d.catalog.artist_albums(ar->id))
      if (auto f = from_url(al.cover_url)) return f;
    return std::nullopt;
  }
  if (auto p = c.d.playlists.find(*id)) {
    if (!p->is_public && p->user_id != c.user.id && !c.is_admin()) return std::nullopt;
    if (auto f = from_url(p->cover_url)) return f;
    for (const auto& t : c.d.playlists.tracks(p->id))
      if (auto f = from_url(t.cover_url)) return f;
  }
  return std::nullopt;
}

Reply cover_art(Call& c) {
  std::optional<std::string> file;
  try {
    file = cover_file(c, c.str("id"));
  } catch (const library::StorageError& e) {
    fail(Code::generic, std::string("The cover's storage cannot be reached: ") + e.what());
  }
  if (!file) not_found("Cover art");
  auto size = c.opt_int("size", 1, 4096);
  std::string path = *file;
  if (size) {
    if (auto scaled = c.d.covers.scaled(*file, static_cast<int>(*size))) path = *scaled;
  }
  http::FileOptions o;
  auto ext = util::to_lower(std::filesystem::path(path).extension().string());
  o.content_type = ext == ".png" ? "image/png" : ext == ".webp" ? "image/webp" : ext == ".gif" ? "image/gif" : "image/jpeg";
  o.cache_control = "public, max-age=31536000, immutable";  // the name is the content's hash
  auto res = http::file_response(c.req, path, o);
  if (res.status == 404) not_found("Cover art");
  return res;
}

Reply lyrics(Call& c) {
  auto artist = c.opt_str("artist").value_or("");
  auto title = c.opt_str("title").value_or("");
  Node body;
  auto& out = body.object("lyrics");
  if (title.empty()) return body;
  auto words = util::search_words(artist + " " + title);
  auto none = model::Page::window(0, 0);
  auto hits = c.d.catalog.search(words, none, none, model::Page::window(0, 20));
  for (const auto& t : hits.tracks) {
    if (util::to_lower(t.title) != util::to_lower(title)) continue;
    if (!artist.empty() && util::to_lower(t.artist_name) != util::to_lower(artist)) continue;
    if (auto l = library::find_lyrics(t.file_path, t.lyrics); l && !l->plain.empty()) {
      out.set("artist", t.artist_name);
      out.set("title", t.title);
      out.text = l->plain;
      return body;
    }
  }
  // Nothing travels with the music: the configured provider (apps get empty lyrics when it fails).
  if (c.d.online_lyrics) {
    try {
      auto remote = c.d.online_lyrics(title, artist);
      if (remote.text && !remote.text->empty()) {
        if (!artist.empty()) out.set("artist", artist);
        out.set("title", title);
        out.text = *remote.text;
      }
    } catch (const std::exception& e) {
      spdlog::info("subsonic: online lyrics of '{}' unavailable: {}", title, e.what());
    }
  }
  return body;
}

Reply lyrics_by_song(Call& c) {
  auto t = require_song(c, c.str("id"));
  Node body;
  auto& list = body.object("lyricsList").list("structuredLyrics");
  auto l = library::find_lyrics(t.file_path, t.lyrics);
  if (!l || (l->plain.empty() && l->synced.empty())) return body;
  Node s;
  s.set("displayArtist", t.artist_name);
  s.set("displayTitle", t.title);
  s.set("lang", "xxx");
  s.set("offset", 0);
  s.set("synced", !l->synced.empty());
  auto& lines = s.list("line");
  if (!l->synced.empty()) {
    for (const auto& line : l->synced)
      lines.push_back(Node().set("start", static_cast<std::int64_t>(std::llround(line.time_secs * 1000))).set("value", line.text));
  } else {
    for (auto part : util::split(l->plain, '\n')) lines.push_back(Node().set("value", std::string(part)));
  }
  list.push_back(std::move(s));
  return body;
}

Reply avatar(Call& c) {
  auto who = c.str("username");
  auto u = c.d.users.find_by_username(who);
  if (!u) not_found("User");
  // No picture is stored: a generated one, the initial on a colour derived from the name.
  static constexpr const char* kColours[] = {"#e11d48", "#7c3aed", "#2563eb", "#0891b2", "#059669", "#ca8a04", "#ea580c"};
  std::size_t h = std::hash<std::string>{}(u->username);
  std::string initial = u->username.empty() ? "?" : std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(u->username[0]))));
  auto svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"128\" height=\"128\" viewBox=\"0 0 128 128\">"
      "<rect width=\"128\" height=\"128\" fill=\"{}\"/><text x=\"64\" y=\"84\" font-family=\"sans-serif\" "
      "font-size=\"64\" fill=\"#fff\" text-anchor=\"middle\">{}</text></svg>",
      kColours[h % 7], xml_escape(initial));
  auto res = http::Response::text(200, std::move(svg), "image/svg+xml");
  res.headers.set("Cache-Control", "private, max-age=86400");
  return res;
}

}  // namespace

void add_media_methods(MethodTable& t) {
  t.push_back({"stream", {stream}});
  t.push_back({"download", {download}});
  t.push_back({"getCoverArt", {cover_art}});
  t.push_back({"getLyrics", {lyrics}});
  t.push_back({"getLyricsBySongId", {lyrics_by_song}});
  t.push_back({"getAvatar", {avatar}});
}

}  // namespace st::subsonic
