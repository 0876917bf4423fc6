#pragma once
// Where a listener is: bookmarks (a position in a track) and the saved play queue, so another device or
// app can resume.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.hpp"

namespace st::model {

struct Bookmark {
  Track track;
  std::int64_t position_ms = 0;
  std::optional<std::string> comment;
  util::Micros created_at = 0;
  util::Micros updated_at = 0;
};

struct PlayQueue {
  std::vector<Track> tracks;
  std::optional<int> current_index;
  std::int64_t position_ms = 0;
  std::string changed_by;
  util::Micros updated_at = 0;
};

class PlayQueueRepository {
 public:
  virtual ~PlayQueueRepository() = default;
  virtual std::vector<Bookmark> bookmarks(std::string_view user_id) = 0;
  virtual void save_bookmark(std::string_view user_id, std::string_view track_id, std::int64_t position_ms,
                             const std::optional<std::string>& comment, util::Micros now) = 0;
  virtual void delete_bookmark(std::string_view user_id, std::string_view track_id) = 0;
  virtual std::optional<PlayQueue> play_queue(std::string_view user_id) = 0;
  // Replaces the user's queue (an empty track list clears it).
  virtual void save_play_queue(std::string_view user_id, const std::vector<std::string>& track_ids,
                               std::optional<int> current_index, std::int64_t position_ms,
                               std::string_view changed_by, util::Micros now) = 0;
};

}  // namespace st::model
