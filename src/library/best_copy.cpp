#include "library/best_copy.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace st::library {

int format_score(std::string_view format) {
  std::string f;
  for (char c : format) f.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (f == "flac") return 1000;
  if (f == "wav" || f == "aiff" || f == "aif") return 900;
  if (f == "opus") return 700;
  if (f == "aac" || f == "m4a" || f == "mp4") return 600;
  if (f == "ogg" || f == "vorbis") return 500;
  if (f == "mp3") return 400;
  return 300;
}

int quality_score(std::string_view format, std::optional<int> bitrate_kbps, std::optional<int> sample_rate) {
  int score = format_score(format);
  if (bitrate_kbps && *bitrate_kbps > 0) score += std::min(*bitrate_kbps, 500);
  if (sample_rate && *sample_rate > 0) score += std::min(*sample_rate, 192000) / 1000;
  return score;
}

bool better_copy(const model::SongCopy& a, const model::SongCopy& b) {
  if (a.available != b.available) return a.available;
  if (a.online != b.online) return a.online;
  auto qa = quality_score(a.format, a.bitrate, a.sample_rate), qb = quality_score(b.format, b.bitrate, b.sample_rate);
  if (qa != qb) return qa > qb;
  if (a.failed_attempts != b.failed_attempts) return a.failed_attempts < b.failed_attempts;
  if ((a.source == "local") != (b.source == "local")) return a.source == "local";  // no network needed
  return a.created_at < b.created_at;
}

std::vector<model::SongCopy> rank_copies(std::vector<model::SongCopy> copies) {
  std::stable_sort(copies.begin(), copies.end(), better_copy);
  return copies;
}

std::optional<model::SongCopy> best_copy(const std::vector<model::SongCopy>& copies) {
  if (copies.empty()) return std::nullopt;
  return *std::min_element(copies.begin(), copies.end(), better_copy);
}

std::vector<std::string> stand_in_tracks(std::vector<model::SongCopy> copies, std::string_view track_id,
                                         const std::optional<std::string>& own_hash) {
  std::vector<std::string> out;
  for (const auto& c : rank_copies(std::move(copies))) {
    bool same_blob = c.source != "local" && own_hash && c.hash == *own_hash;
    if (c.track_id == track_id || !c.available || same_blob) continue;
    if (std::find(out.begin(), out.end(), c.track_id) == out.end()) out.push_back(c.track_id);
  }
  return out;
}

}  // namespace st::library
