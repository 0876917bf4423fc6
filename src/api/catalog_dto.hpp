#pragma once
// TrackResponse, AlbumResponse, ArtistResponse and the pagination envelope (the original's shapes).
#include "api/json.hpp"
#include "api/pagination.hpp"
#include "http/request.hpp"
#include "model/catalog.hpp"
#include "model/playlist.hpp"

namespace st::api {

// enriched: adds artist_name, album_title and cover_url (the original's "enriched" lists).
json::object track_response(const model::Track& t, bool enriched = true);
json::object album_response(const model::Album& a, bool with_artist_name = true);
json::object artist_response(const model::Artist& a);
json::object playlist_response(const model::Playlist& p);

// items converted one by one into a JSON array.
template <typename T, typename Fn>
json::array to_array(const std::vector<T>& items, Fn&& convert) {
  json::array a;
  a.reserve(items.size());
  for (const auto& x : items) a.push_back(convert(x));
  return a;
}

// {"data", "total", "page", "per_page", "total_pages"}
json::object paginated(json::array data, std::int64_t total, const model::Page& page);

}  // namespace st::api
