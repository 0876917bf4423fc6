#pragma once
// Playlists, favorites and listening history: what each user does with the catalogue.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.hpp"

namespace st::model {

struct Playlist {
  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::string user_id;
  bool is_public = false;
  bool is_editorial = false;
  std::optional<std::string> cover_url;
  std::int64_t track_count = 0;
  util::Micros created_at = 0;
  util::Micros updated_at = 0;
};

struct PlaylistChanges {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<bool> is_public;
  std::optional<std::string> cover_url;
};

// An editorial playlist to store: the playlist and its tracks in order.
struct EditorialPlaylist {
  Playlist playlist;
  std::vector<std::string> track_ids;
};

class PlaylistRepository {
 public:
  virtual ~PlaylistRepository() = default;
  virtual void create(const Playlist& p) = 0;
  virtual std::optional<Playlist> find(std::string_view id) = 0;
  virtual void update(std::string_view id, const PlaylistChanges& c, util::Micros now) = 0;
  virtual void remove(std::string_view id) = 0;
  virtual Paged<Playlist> list_public(Page page) = 0;
  virtual Paged<Playlist> list_by_user(std::string_view user_id, bool public_only, Page page) = 0;
  virtual std::vector<Track> tracks(std::string_view playlist_id) = 0;
  // Appends (position nullopt) or inserts at position; false when the track is already there.
  virtual bool add_track(std::string_view playlist_id, std::string_view track_id, std::optional<int> position,
                         util::Micros now) = 0;
  virtual void remove_track(std::string_view playlist_id, std::string_view track_id, util::Micros now) = 0;
  // Sets the order to exactly track_ids; false when they are not the playlist's tracks.
  virtual bool reorder(std::string_view playlist_id, const std::vector<std::string>& track_ids, util::Micros now) = 0;
  // Editorial playlists (made by the AI generator), newest first.
  virtual std::vector<Playlist> list_editorial() = 0;
  // Removes every editorial playlist and stores `lists` instead, in one transaction (ids of tracks that
  // vanished meanwhile are skipped).
  virtual void replace_editorial(const std::vector<EditorialPlaylist>& lists) = 0;
};

struct HistoryEntry {
  std::string id;
  Track track;
  util::Micros listened_at = 0;
  double duration_listened = 0;
  std::optional<std::string> source_context;
  bool completed = false;
  bool skipped = false;
  std::optional<double> skip_position;
};

struct Listen {
  std::string id;
  std::string user_id;
  std::string track_id;
  util::Micros listened_at = 0;
  double duration_listened = 0;
  std::optional<std::string> source_context;
  bool completed = false;
  bool skipped = false;
  std::optional<double> skip_position;
};

class ActivityRepository {
 public:
  virtual ~ActivityRepository() = default;
  // Favorites
  virtual void add_favorite(std::string_view user_id, std::string_view track_id, util::Micros now) = 0;
  virtual void remove_favorite(std::string_view user_id, std::string_view track_id) = 0;
  virtual Paged<Track> favorites(std::string_view user_id, Page page) = 0;
  virtual std::vector<std::string> favorited_among(std::string_view user_id, const std::vector<std::string>& ids) = 0;
  // History: records the listen and counts the play, atomically.
  virtual void record_listen(const Listen& l) = 0;
  virtual Paged<HistoryEntry> history(std::string_view user_id, Page page) = 0;
  // The latest listen of each of the user's most recently played tracks.
  virtual std::vector<HistoryEntry> recent_distinct(std::string_view user_id, std::int64_t limit) = 0;
  // What a user listens to most: artists and genres weighted by their recent listens (completed plays
  // count fully, skips a little) and favorites, best first.
  virtual std::vector<std::string> top_artists(std::string_view user_id, std::int64_t limit) = 0;
  virtual std::vector<std::string> top_genres(std::string_view user_id, std::int64_t limit) = 0;
  // Tracks by number of listens since `since`.
  virtual std::vector<Track> trending(util::Micros since, std::int64_t limit) = 0;
};

}  // namespace st::model
