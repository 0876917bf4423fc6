#include "api/p2p_dto.hpp"

#include <cmath>

namespace st::api {

json::object p2p_hit_json(const library::P2pSearchHit& h) {
  auto opt = [](const auto& v) { return v ? json::value(*v) : json::value(nullptr); };
  json::object o;
  o["hash"] = h.hash;
  o["title"] = h.title;
  o["artist_name"] = h.artist_name;
  o["album_title"] = opt(h.album_title);
  o["duration_secs"] = h.duration_secs;
  o["format"] = h.format;
  o["genre"] = opt(h.genre);
  o["year"] = opt(h.year);
  o["bitrate"] = opt(h.bitrate);
  o["source_node"] = h.source_node;
  o["musicbrainz_id"] = opt(h.musicbrainz_id);
  o["relevance"] = std::round(h.relevance * 1000.0) / 1000.0;
  return o;
}

}  // namespace st::api
