#pragma once
// Reports of tracks by listeners, and their moderation.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.hpp"

namespace st::model {

struct Report {
  std::string id;
  std::string track_id;
  std::optional<std::string> track_title;   // joined; none when the track is gone
  std::optional<std::string> track_artist;  // joined
  std::string user_id;
  std::string reporter_username;  // joined
  std::string reason;
  std::string status;  // pending | resolved | dismissed
  std::optional<std::string> admin_note;
  util::Micros created_at = 0;
  std::optional<util::Micros> resolved_at;
};

struct ReportCounts {
  std::int64_t pending = 0, resolved = 0, dismissed = 0;
};

struct ModerationRow {
  std::string id, title, artist_name, format;
  std::int64_t play_count = 0, report_count = 0;
  util::Micros created_at = 0;
};

class ReportRepository {
 public:
  virtual ~ReportRepository() = default;
  // False when this user already has a pending report on this track.
  virtual bool create(const Report& r) = 0;
  virtual std::optional<Report> find(std::string_view id) = 0;
  // Pending first, then newest.
  virtual std::vector<Report> list() = 0;
  virtual ReportCounts counts() = 0;
  virtual void resolve(std::string_view id, std::string_view status, const std::optional<std::string>& note,
                       std::string_view admin_id, util::Micros now) = 0;
  // Closes every pending report of a track (its track was removed).
  virtual void resolve_all_for_track(std::string_view track_id, std::string_view note, std::string_view admin_id,
                                     util::Micros now) = 0;
  virtual Paged<ModerationRow> browse(const std::optional<std::string>& title_contains, Page page) = 0;
};

}  // namespace st::model
