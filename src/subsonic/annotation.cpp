// Annotation: star/unstar (songs are the web app's favorites), setRating, scrobble (plays and now
// playing) and reportPlayback (playbackReport).
#include <algorithm>

#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::subsonic {

namespace {

// Checks that every id exists (as that kind) before anything changes.
void require_items(Call& c, model::ItemKind kind, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    bool ok = kind == model::ItemKind::track    ? c.d.catalog.stream_source(id).has_value()
              : kind == model::ItemKind::album  ? c.d.catalog.find_album(id).has_value()
                                                : c.d.catalog.find_artist(id).has_value();
    if (!ok) not_found(std::string(kind == model::ItemKind::track ? "Song " : kind == model::ItemKind::album ? "Album " : "Artist ") + id);
  }
}

// id may name a song, an album or an artist (Subsonic's folder-style star); albumId / artistId are ID3.
std::vector<std::pair<model::ItemKind, std::string>> starred_targets(Call& c) {
  std::vector<std::pair<model::ItemKind, std::string>> out;
  for (const auto& id : c.ids("id")) {
    if (c.d.catalog.stream_source(id)) out.emplace_back(model::ItemKind::track, id);
    else if (c.d.catalog.find_album(id)) out.emplace_back(model::ItemKind::album, id);
    else if (c.d.catalog.find_artist(id)) out.emplace_back(model::ItemKind::artist, id);
    else not_found("Item " + id);
  }
  auto albums = c.ids("albumId");
  require_items(c, model::ItemKind::album, albums);
  for (auto& id : albums) out.emplace_back(model::ItemKind::album, id);
  auto artists = c.ids("artistId");
  require_items(c, model::ItemKind::artist, artists);
  for (auto& id : artists) out.emplace_back(model::ItemKind::artist, id);
  if (out.empty()) fail(Code::missing_parameter, "Required parameter is missing: id, albumId or artistId");
  return out;
}

Reply star(Call& c, bool on) {
  auto now = util::now_micros();
  for (const auto& [kind, id] : starred_targets(c)) {
    if (on) c.d.annotations.star(c.user.id, kind, id, now);
    else c.d.annotations.unstar(c.user.id, kind, id);
  }
  return Node{};
}

Reply set_rating(Call& c) {
  auto id = as_id(c.str("id"));
  if (!id) not_found("Item");
  auto rating = static_cast<int>(c.integer("rating", 0, 5));
  model::ItemKind kind;
  if (c.d.catalog.stream_source(*id)) kind = model::ItemKind::track;
  else if (c.d.catalog.find_album(*id)) kind = model::ItemKind::album;
  else if (c.d.catalog.find_artist(*id)) kind = model::ItemKind::artist;
  else not_found("Item");
  c.d.annotations.set_rating(c.user.id, kind, *id, rating, util::now_micros());
  return Node{};
}

void record_play(Call& c, const model::Track& t, util::Micros at, double listened, bool completed) {
  model::Listen l;
  l.id = util::new_uuid();
  l.user_id = c.user.id;
  l.track_id = t.id;
  l.listened_at = at;
  l.duration_listened = listened;
  l.source_context = "subsonic" + (c.client.empty() ? std::string() : ":" + c.client.substr(0, 60));
  l.completed = completed;
  l.skipped = !completed;
  if (!completed) l.skip_position = listened;
  c.d.activity.record_listen(l);
  // Queued for Last.fm and ListenBrainz when the rules count it (never waits on them).
  if (c.d.scrobbler) c.d.scrobbler->listened(c.user.id, t, at, listened);
}

// announce: also tell the scrobblers (reportPlayback repeats "playing" while a song plays; they hear once).
void now_playing(Call& c, const model::Track& t, double position, bool announce = true) {
  auto now = std::chrono::steady_clock::now();
  auto left = std::chrono::seconds(static_cast<std::int64_t>(std::max(1.0, t.duration_secs - position)));
  c.d.now_playing.playing({c.user.id, c.user.username, t.id, c.client, now, now + left});
  if (announce && c.d.scrobbler) c.d.scrobbler->now_playing(c.user.id, t);
}

Reply scrobble(Call& c) {
  auto ids = c.ids("id");
  if (ids.empty()) fail(Code::missing_parameter, "Required parameter is missing: id");
  auto times = c.params.all("time");
  bool submission = c.opt_bool("submission").value_or(true);
  auto tracks = c.d.catalog.tracks_by_ids(ids);
  if (tracks.size() != ids.size()) not_found("Song");
  c.d.now_playing.reported(c.user.id, c.client);  // its streams no longer say what it plays
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& t = *std::find_if(tracks.begin(), tracks.end(), [&](const auto& x) { return x.id == ids[i]; });
    if (!submission) {
      now_playing(c, t, 0);
      continue;
    }
    util::Micros at = util::now_micros();
    if (i < times.size()) {
      auto ms = util::parse_int(times[i]);
      if (!ms || *ms <= 0) fail(Code::generic, "time must be milliseconds since 1970");
      at = *ms * 1000;
    }
    record_play(c, t, at, t.duration_secs, true);
  }
  return Node{};
}

Reply report_playback(Call& c) {
  auto id = as_id(c.str("mediaId"));
  auto type = c.str("mediaType");
  if (type != "song") fail(Code::generic, "Only songs can be reported (mediaType=song)");
  auto position_ms = c.integer("positionMs", 0, INT64_MAX / 2);
  auto state = c.str("state");
  if (state != "starting" && state != "playing" && state != "paused" && state != "stopped")
    fail(Code::generic, "state must be starting, playing, paused or stopped");
  auto t = id ? c.d.catalog.find_track(*id) : std::nullopt;
  if (!t) not_found("Song");
  c.d.now_playing.reported(c.user.id, c.client);  // its streams no longer say what it plays
  double position = static_cast<double>(position_ms) / 1000.0;
  if (state == "starting" || state == "playing") now_playing(c, *t, position, state == "starting");
  else c.d.now_playing.stopped(c.user.id, c.client);
  if (state == "stopped" && !c.opt_bool("ignoreScrobble").value_or(false) && position > 0) {
    // A play counts as the web app counts it: completed past half the track or four minutes, else skipped.
    bool completed = position >= std::min(t->duration_secs / 2, 240.0);
    auto listened = std::min(position, t->duration_secs);
    record_play(c, *t, util::now_micros() - static_cast<util::Micros>(listened * 1'000'000), listened, completed);
  }
  return Node{};
}

}  // namespace

void add_annotation_methods(MethodTable& t) {
  t.push_back({"star", {[](Call& c) { return star(c, true); }}});
  t.push_back({"unstar", {[](Call& c) { return star(c, false); }}});
  t.push_back({"setRating", {set_rating}});
  t.push_back({"scrobble", {scrobble}});
  t.push_back({"reportPlayback", {report_playback}});
}

}  // namespace st::subsonic
