#include "api/catalog_dto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::api {

namespace {
json::value opt_int(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value opt_real(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

// Floats are printed with few digits (Boost.JSON would print 1.5 as 1.5E0).
json::value seconds(double v) { return json::value(std::round(v * 1000.0) / 1000.0); }
}  // namespace

json::object track_response(const model::Track& t, bool enriched) {
  json::object o;
  o["id"] = t.id;
  o["title"] = t.title;
  o["artist_id"] = t.artist_id;
  o["album_id"] = nullable(t.album_id);
  o["track_number"] = opt_int(t.track_number);
  o["disc_number"] = opt_int(t.disc_number);
  o["duration_secs"] = seconds(t.duration_secs);
  o["genre"] = nullable(t.genre);
  o["year"] = opt_int(t.year);
  o["format"] = t.format;
  o["bitrate"] = opt_int(t.bitrate);
  o["sample_rate"] = opt_int(t.sample_rate);
  o["musicbrainz_id"] = nullable(t.musicbrainz_id);
  o["uploaded_by"] = nullable(t.uploaded_by);
  o["play_count"] = t.play_count;
  o["created_at"] = util::to_rfc3339(t.created_at);
  // Added fields (the original lacks them): what players and the Subsonic layer need.
  o["track_total"] = opt_int(t.track_total);
  o["disc_total"] = opt_int(t.disc_total);
  o["channels"] = opt_int(t.channels);
  o["bit_depth"] = opt_int(t.bit_depth);
  o["file_size"] = t.file_size;
  o["content_hash"] = nullable(t.content_hash);
  o["replaygain_track_gain"] = opt_real(t.replaygain_track_gain);
  o["replaygain_track_peak"] = opt_real(t.replaygain_track_peak);
  o["replaygain_album_gain"] = opt_real(t.replaygain_album_gain);
  o["replaygain_album_peak"] = opt_real(t.replaygain_album_peak);
  if (enriched) {
    o["artist_name"] = t.artist_name;
    if (t.album_title) o["album_title"] = *t.album_title;
    if (t.cover_url) o["cover_url"] = *t.cover_url;
  }
  return o;
}

json::object album_response(const model::Album& a, bool with_artist_name) {
  json::object o;
  o["id"] = a.id;
  o["title"] = a.title;
  o["artist_id"] = a.artist_id;
  if (with_artist_name) o["artist_name"] = a.artist_name;
  o["release_date"] = nullable(a.release_date);
  o["cover_url"] = nullable(a.cover_url);
  o["genre"] = nullable(a.genre);
  o["year"] = opt_int(a.year);
  o["musicbrainz_id"] = nullable(a.musicbrainz_id);
  o["is_compilation"] = a.is_compilation;
  o["created_at"] = util::to_rfc3339(a.created_at);
  return o;
}

json::object artist_response(const model::Artist& a) {
  json::object o;
  o["id"] = a.id;
  o["name"] = a.name;
  o["musicbrainz_id"] = nullable(a.musicbrainz_id);
  o["bio"] = nullable(a.bio);
  o["image_url"] = nullable(a.image_url);
  o["created_at"] = util::to_rfc3339(a.created_at);
  return o;
}

json::object playlist_response(const model::Playlist& p) {
  json::object o;
  o["id"] = p.id;
  o["name"] = p.name;
  o["description"] = nullable(p.description);
  o["user_id"] = p.user_id;
  o["is_public"] = p.is_public;
  o["is_editorial"] = p.is_editorial;
  o["cover_url"] = nullable(p.cover_url);
  o["track_count"] = p.track_count;
  o["created_at"] = util::to_rfc3339(p.created_at);
  o["updated_at"] = util::to_rfc3339(p.updated_at);
  return o;
}

json::object paginated(json::array data, std::int64_t total, const model::Page& page) {
  json::object o;
  o["data"] = std::move(data);
  o["total"] = total;
  o["page"] = page.page;
  o["per_page"] = page.per_page;
  o["total_pages"] = (total + page.per_page - 1) / page.per_page;
  return o;
}

}  // namespace st::api
