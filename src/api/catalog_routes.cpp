// The catalogue: tracks, albums, artists, genres, overview statistics, audio streaming and covers.
// All "gated": open on a public instance, account required on a private one.
#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/object_stream.hpp"
#include "api/p2p_dto.hpp"
#include "api/routes.hpp"
#include "audio/format_sniffer.hpp"
#include "library/best_copy.hpp"
#include "library/lyrics.hpp"
#include "http/range.hpp"
#include "http/static_files.hpp"
#include "model/errors.hpp"
#include "util/fold.hpp"
#include "util/strings.hpp"

#include <cmath>

namespace st::api {

namespace {

// The original's best_bitrate (the highest over the copies we can use) and best_source ("local" or
// "p2p://<node>"), chosen among every copy of the song: its own bytes here or on peers, and other files
// of the same song (duplicate resolution: reachable first, then format, bitrate, sample rate).
void add_best_copy(CatalogDeps& d, const model::Track& t, json::object& o) {
  std::vector<model::SongCopy> copies;
  if (d.track_health) copies = d.track_health->song_copies(t.id);
  int best_bitrate = t.bitrate.value_or(0);
  for (const auto& c : copies)
    if (c.available && c.bitrate) best_bitrate = std::max(best_bitrate, *c.bitrate);
  if (best_bitrate > 0) o["best_bitrate"] = best_bitrate;
  auto best = library::best_copy(copies);
  bool replica = util::starts_with(t.file_path, "p2p://");
  o["best_source"] = best ? best->source : (replica ? "p2p" : "local");
  if (best) o["best_track_id"] = best->track_id;  // ours: the catalogue entry holding that copy
}

json::array tracks_json(const std::vector<model::Track>& tracks) {
  return to_array(tracks, [](const auto& t) { return track_response(t); });
}

http::Response track_page(CatalogDeps& d, http::Request& req, const model::TrackFilter& f, model::TrackOrder order) {
  gate(d.guard, req);
  auto page = page_param(req);
  auto result = d.catalog->list_tracks(f, order, page);
  return json_response(200, paginated(tracks_json(result.items), result.total, page));
}

void add_track_routes(http::Router& r, CatalogDeps& d) {
  r.get("/api/tracks", [&d](http::Request& req) { return track_page(d, req, {}, model::TrackOrder::newest); });
  r.get("/api/tracks/recently-added",
        [&d](http::Request& req) { return track_page(d, req, {}, model::TrackOrder::newest); });
  r.get("/api/tracks/popular",
        [&d](http::Request& req) { return track_page(d, req, {}, model::TrackOrder::most_played); });
  r.get("/api/tracks/random", [&d](http::Request& req) {
    gate(d.guard, req);
    model::TrackFilter f;
    if (auto g = req.query("genre"); g && !g->empty()) f.genre = *g;
    auto n = count_param(req, "count", 10, 50);
    return json_response(200, tracks_json(d.catalog->list_tracks(f, model::TrackOrder::random, {1, n}).items));
  });
  r.get("/api/tracks/my-uploads", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    model::TrackFilter f;
    f.uploaded_by = who.user.id;
    auto page = page_param(req);
    auto result = d.catalog->list_tracks(f, model::TrackOrder::newest, page);
    return json_response(200, paginated(tracks_json(result.items), result.total, page));
  });
  r.get("/api/tracks/{id}", [&d](http::Request& req) {
    gate(d.guard, req);
    auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found"));
    if (!t) model::throw_not_found("Track not found");
    auto o = track_response(*t);
    add_best_copy(d, *t, o);
    return json_response(200, o);
  });
}

void add_track_detail_routes(http::Router& r, CatalogDeps& d) {
  r.get("/api/tracks/{id}/lyrics", [&d](http::Request& req) {
    gate(d.guard, req);
    auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found"));
    if (!t) model::throw_not_found("Track not found");
    json::object o;
    auto l = library::find_lyrics(t->file_path, t->lyrics);
    o["lyrics"] = l ? json::value(l->plain) : json::value(nullptr);
    o["source"] = l ? json::value(l->source) : json::value(nullptr);
    if (!l && d.online_lyrics) {  // nothing travels with the music: the configured provider, as the original
      auto remote = d.online_lyrics(t->title, t->artist_name);
      o["lyrics"] = remote.text ? json::value(*remote.text) : json::value(nullptr);
      o["source"] = remote.text && remote.source ? json::value(*remote.source) : json::value(nullptr);
    }
    json::array synced;
    if (l)
      for (const auto& line : l->synced) {
        json::object x;
        x["time"] = std::round(line.time_secs * 1000.0) / 1000.0;
        x["text"] = line.text;
        synced.push_back(std::move(x));
      }
    o["synced"] = std::move(synced);
    return json_response(200, o);
  });

  r.get("/api/tracks/{id}/credits", [&d](http::Request& req) {
    gate(d.guard, req);
    auto t = d.catalog->find_track(uuid_param(req, "id", "Track not found"));
    if (!t) model::throw_not_found("Track not found");
    auto artist = d.catalog->find_artist(t->artist_id);
    if (!artist) model::throw_not_found("Artist not found");
    auto o = track_response(*t, false);
    o["artist_name"] = artist->name;
    o["artist_bio"] = nullable(artist->bio);
    o["artist_image"] = nullable(artist->image_url);
    o["artist_musicbrainz_id"] = nullable(artist->musicbrainz_id);
    std::optional<model::Album> album;
    if (t->album_id) album = d.catalog->find_album(*t->album_id);
    o["album_title"] = album ? json::value(album->title) : json::value(nullptr);
    o["album_cover_url"] = album ? nullable(album->cover_url) : json::value(nullptr);
    o["album_genre"] = album ? nullable(album->genre) : json::value(nullptr);
    o["album_year"] = album && album->year ? json::value(*album->year) : json::value(nullptr);
    o["album_musicbrainz_id"] = album ? nullable(album->musicbrainz_id) : json::value(nullptr);
    return json_response(200, o);
  });
}

void add_album_artist_routes(http::Router& r, CatalogDeps& d) {
  r.get("/api/albums", [&d](http::Request& req) {
    gate(d.guard, req);
    auto page = page_param(req);
    auto result = d.catalog->list_albums(page, true);
    return json_response(200, paginated(to_array(result.items, [](const auto& al) { return album_response(al); }),
                                        result.total, page));
  });
  r.get("/api/albums/recent", [&d](http::Request& req) {
    gate(d.guard, req);
    model::Page page{1, count_param(req, "per_page", 10, 50)};
    auto result = d.catalog->list_albums(page, true);
    return json_response(200, paginated(to_array(result.items, [](const auto& al) { return album_response(al); }),
                                        result.total, page));
  });
  r.get("/api/albums/{id}", [&d](http::Request& req) {
    gate(d.guard, req);
    auto id = uuid_param(req, "id", "Album not found");
    auto al = d.catalog->find_album(id);
    if (!al) model::throw_not_found("Album not found");
    auto o = album_response(*al);
    o["tracks"] = tracks_json(d.catalog->album_tracks(id));
    return json_response(200, o);
  });
  r.get("/api/artists", [&d](http::Request& req) {
    gate(d.guard, req);
    auto page = page_param(req);
    auto result = d.catalog->list_artists(page);
    return json_response(200, paginated(to_array(result.items, artist_response), result.total, page));
  });
  // The original's home and explore pages: page 1 of one page, per_page default 10, at most 50.
  auto artist_list = [](const std::vector<model::Artist>& items, std::int64_t per_page) {
    auto o = paginated(to_array(items, artist_response), static_cast<std::int64_t>(items.size()), {1, per_page});
    o["total_pages"] = 1;
    return json_response(200, o);
  };
  r.get("/api/artists/top", [&d, artist_list](http::Request& req) {
    gate(d.guard, req);
    auto n = count_param(req, "per_page", 10, 50);
    return artist_list(d.catalog->top_artists(n), n);
  });
  r.get("/api/artists/random", [&d, artist_list](http::Request& req) {
    gate(d.guard, req);
    auto n = count_param(req, "per_page", 10, 50);
    return artist_list(d.catalog->random_artists(n), n);
  });
  r.get("/api/artists/{id}", [&d](http::Request& req) {
    gate(d.guard, req);
    auto id = uuid_param(req, "id", "Artist not found");
    auto ar = d.catalog->find_artist(id);
    if (!ar) model::throw_not_found("Artist not found");
    auto o = artist_response(*ar);
    o["albums"] = to_array(d.catalog->artist_albums(id), [](const auto& al) { return album_response(al); });
    model::TrackFilter f;
    f.artist_id = id;
    o["tracks"] = tracks_json(d.catalog->list_tracks(f, model::TrackOrder::newest, {1, 500}).items);
    return json_response(200, o);
  });
}

}  // namespace

void add_catalog_routes(http::Router& r, CatalogDeps& d) {
  add_track_routes(r, d);
  add_track_detail_routes(r, d);
  add_album_artist_routes(r, d);

  r.get("/api/genres", [&d](http::Request& req) {
    gate(d.guard, req);
    json::array a;
    for (const auto& g : d.catalog->genres()) a.push_back(json::value(g));
    return json_response(200, a);
  });
  r.get("/api/genres/{genre}/tracks", [&d](http::Request& req) {
    model::TrackFilter f;
    f.genre = std::string(req.param("genre"));
    // Ordered by title, not at random as the original: pages must not overlap.
    return track_page(d, req, f, model::TrackOrder::title);
  });
  r.get("/api/search", [&d](http::Request& req) {
    gate(d.guard, req);
    auto q = req.query("q");
    if (!q) model::throw_bad_request("Missing query parameter 'q'");
    auto page = page_param(req, 10, 50);
    if (page.page > 1000) model::throw_bad_request("page must be at most 1000");
    // Punctuation-only or empty queries have no words: an empty result, not an error.
    auto hits = d.catalog->search(util::search_words(*q), page);
    json::object o;
    o["tracks"] = tracks_json(hits.tracks);
    o["albums"] = to_array(hits.albums, [](const auto& a) { return album_response(a); });
    o["artists"] = to_array(hits.artists, artist_response);
    o["total"] = hits.total_tracks + hits.total_albums + hits.total_artists;
    o["total_tracks"] = hits.total_tracks;
    o["total_albums"] = hits.total_albums;
    o["total_artists"] = hits.total_artists;
    // The original's distributed search (limit min(per_page, 20)); p2p_results omitted when empty.
    if (auto inc = req.query("include_p2p"); inc && (*inc == "true" || *inc == "1") && d.p2p) {
      // Peers are asked only when a slot among the requests waiting on them is free: the catalogue's
      // answer never waits for one (it comes without p2p_results then).
      std::optional<util::ConcurrencyGate::Slot> slot;
      if (d.p2p_waits) slot = d.p2p_waits->try_enter();
      json::array p2p;
      if (slot || !d.p2p_waits)
      for (const auto& h : d.p2p->search(util::trim(*q), std::min<std::size_t>(page.per_page, 20)))
        p2p.push_back(p2p_hit_json(h));
      if (!p2p.empty()) o["p2p_results"] = std::move(p2p);
    }
    return json_response(200, o);
  });
  r.get("/api/stats/overview", [&d](http::Request& req) {
    gate(d.guard, req);
    auto c = d.catalog->counts();
    json::object o;
    o["total_tracks"] = c.tracks;
    o["total_albums"] = c.albums;
    o["total_artists"] = c.artists;
    o["total_genres"] = c.genres;
    o["total_duration_secs"] = std::round(c.total_duration_secs * 1000.0) / 1000.0;
    o["total_peers"] = 0;
    o["peer_count"] = 0;
    return json_response(200, o);
  });
  // With object storage a cover may have to be fetched first: only on a worker, never the network thread.
  auto cover = [&d](http::Request& req, bool only_local) {
    std::optional<std::string> file;
    try {
      file = d.covers->file(req.param("path"), only_local);
    } catch (const library::StorageError& e) {
      throw_storage_error(e);
    }
    if (!file) model::throw_not_found("Not found");
    http::FileOptions o;
    o.content_type = std::string(http::content_type_for(*file));
    o.cache_control = "public, max-age=31536000, immutable";
    return http::file_response(req, *file, o);
  };
  r.get("/api/media/{*path}", [&d, cover](http::Request& req) {
    gate_media(d.guard, req);
    return cover(req, false);
  });
  // A page of albums asks for dozens of covers at once: answered on the network thread when memory allows.
  r.add_fast_path(http::Method::get, "/api/media/{*path}", [&d, cover](http::Request& req) -> std::optional<http::Response> {
    if (!gate_media_from_memory(d.guard, req)) return std::nullopt;
    std::optional<http::Response> res;
    try {
      res = cover(req, true);
    } catch (const std::exception&) {
      return std::nullopt;  // not here: the worker answers (and fetches it)
    }
    if (res->status != 200 && res->status != 206 && res->status != 304) return std::nullopt;
    return res;
  });
}

}  // namespace st::api
