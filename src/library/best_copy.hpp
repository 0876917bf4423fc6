#pragma once
// Duplicate resolution: when several peers hold the same bytes, or the same song in different files,
// the best copy is the one we can reach (available, then online) with the best format, bitrate and
// sample rate. Bitrates are kbps everywhere (tags, announcements, remote_tracks).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/track_health.hpp"

namespace st::library {

// FLAC 1000, WAV/AIFF 900, Opus 700, AAC/M4A 600, Ogg Vorbis 500, MP3 400, anything else 300.
int format_score(std::string_view format);
// format_score + min(kbps, 500) + min(Hz, 192000) / 1000: the format dominates, then bitrate, then rate.
int quality_score(std::string_view format, std::optional<int> bitrate_kbps, std::optional<int> sample_rate);
// Sound copies first: available, then online, then quality, then the oldest (stable choice among equals).
bool better_copy(const model::SongCopy& a, const model::SongCopy& b);
// The copies ordered best first.
std::vector<model::SongCopy> rank_copies(std::vector<model::SongCopy> copies);
// The best copy, or nothing when there are none.
std::optional<model::SongCopy> best_copy(const std::vector<model::SongCopy>& copies);
// The tracks to play instead of `track_id` when its own bytes cannot be had, best first: other available
// copies of the song, not replicas of its own bytes (their holders were tried already).
std::vector<std::string> stand_in_tracks(std::vector<model::SongCopy> copies, std::string_view track_id,
                                         const std::optional<std::string>& own_hash);

}  // namespace st::library
