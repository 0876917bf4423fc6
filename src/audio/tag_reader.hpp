#pragma once
// Reads tags and stream properties with TagLib. Pictures are only decoded when asked for, so a scan
// that already has an album cover does not pay for them.
#include <optional>
#include <string>
#include <vector>

#include "audio/format_sniffer.hpp"

namespace st::audio {

struct AudioTags {
  std::optional<std::string> title;
  std::vector<std::string> artists;  // every track artist, in tag order
  std::optional<std::string> album;
  std::optional<std::string> album_artist;
  std::vector<std::string> genres;  // raw values, normalised by the library
  std::optional<int> track_number, track_total, disc_number, disc_total, year;
  std::optional<std::string> date;  // as tagged (YYYY, YYYY-MM-DD, ...)
  std::optional<std::string> mb_track_id, mb_album_id, mb_artist_id, mb_album_artist_id;
  std::optional<double> rg_track_gain, rg_track_peak, rg_album_gain, rg_album_peak;
  std::optional<std::string> lyrics;
  bool compilation = false;

  double duration_secs = 0;
  std::optional<int> bitrate_kbps, sample_rate, channels, bit_depth;
};

struct Picture {
  std::string mime;  // image/jpeg, image/png, ...
  std::string data;
};

// False when TagLib cannot open the file as audio (corrupt, truncated beyond repair, not audio).
// The format (from sniffing) picks the parser: a file's name may lie about its content.
bool read_tags(const std::string& path, AudioFormat format, AudioTags& out, std::optional<Picture>* picture = nullptr);

// "3/12" -> (3, 12); "7" -> (7, none); junk -> (none, none).
std::pair<std::optional<int>, std::optional<int>> parse_number_pair(const std::string& s);
// "-6.52 dB" -> -6.52
std::optional<double> parse_gain(const std::string& s);

}  // namespace st::audio
