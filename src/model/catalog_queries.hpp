#pragma once
// How the catalogue is asked for lists, pages, random picks and searches, and how it answers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/catalog_items.hpp"

namespace st::model {

struct Page {
  std::int64_t page = 1;      // 1-based
  std::int64_t per_page = 20;
  std::optional<std::int64_t> start;  // an offset that is not a page boundary (Subsonic's count/offset)
  std::int64_t offset() const { return start ? *start : (page - 1) * per_page; }
  static Page window(std::int64_t offset, std::int64_t count) { return Page{1, count, offset}; }
};

template <typename T>
struct Paged {
  std::vector<T> items;
  std::int64_t total = 0;
};

// added: oldest first, the order tracks came in (new ones go to the end, so a client paging through the
// whole library does not see what it read move; a track stamped just before a page was read but committed
// after it can still be missed until the next sync).
enum class TrackOrder { newest, most_played, random, title, added };

struct TrackFilter {
  std::optional<std::string> genre;        // exact
  std::optional<std::string> uploaded_by;
  std::optional<std::string> artist_id;
  std::optional<std::string> album_id;
  std::optional<std::string> path_prefix;  // files under this folder ("/music/" with the slash)
};

// A random pick of tracks matching every given condition (radio).
struct RandomQuery {
  std::optional<std::string> artist_id;
  std::optional<std::string> not_artist_id;
  std::vector<std::string> artist_ids;  // any of
  std::vector<std::string> genres;      // any of
  std::optional<int> year_min, year_max;
  std::vector<std::string> exclude;  // track ids
  std::optional<std::string> path_prefix;  // only files in this folder ("/music/")
  std::int64_t limit = 10;
};

struct SearchHits {
  std::vector<Track> tracks;
  std::vector<Album> albums;
  std::vector<Artist> artists;
  std::int64_t total_tracks = 0, total_albums = 0, total_artists = 0;
};

// Album lists of every kind Subsonic apps ask for.
enum class AlbumOrder { newest, random, title, artist, year, frequent, recent, starred, highest };
struct AlbumQuery {
  AlbumOrder order = AlbumOrder::newest;
  std::optional<std::string> genre;
  std::optional<int> from_year, to_year;  // from > to lists the years downwards
  std::string user_id;                    // whose listens, stars or ratings (recent, starred, highest)
  std::optional<std::string> path_prefix;  // only albums with music in this folder ("/music/")
  std::int64_t limit = 10, offset = 0;
};

}  // namespace st::model
