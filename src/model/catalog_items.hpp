#pragma once
// What the catalogue holds: artists, albums and tracks.
#include <cstdint>
#include <optional>
#include <string>

#include "util/time.hpp"

namespace st::model {

struct Artist {
  std::string id;
  std::string name;
  std::optional<std::string> musicbrainz_id;
  std::optional<std::string> bio;
  std::optional<std::string> image_url;
  util::Micros created_at = 0;
};

struct Album {
  std::string id;
  std::string title;
  std::string artist_id;
  std::string artist_name;  // joined
  std::optional<std::string> release_date;
  std::optional<std::string> cover_url;  // "/api/media/covers/<hash>.<ext>"
  std::optional<std::string> musicbrainz_id;
  std::optional<std::string> genre;
  std::optional<int> year;
  bool is_compilation = false;
  util::Micros created_at = 0;
};

struct Track {
  std::string id;
  std::string title;
  std::string artist_id;
  std::optional<std::string> album_id;
  std::optional<int> track_number;
  std::optional<int> track_total;
  std::optional<int> disc_number;
  std::optional<int> disc_total;
  double duration_secs = 0;
  std::optional<std::string> genre;
  std::optional<int> year;
  std::optional<std::string> musicbrainz_id;
  std::string file_path;
  std::int64_t file_size = 0;
  std::int64_t file_mtime = 0;  // seconds; with size, lets a rescan skip unchanged files
  std::string format;           // mp3, flac, ogg, opus, aac, wav, aiff
  std::optional<int> bitrate;   // kbps
  std::optional<int> sample_rate;
  std::optional<int> channels;
  std::optional<int> bit_depth;
  std::optional<double> replaygain_track_gain;
  std::optional<double> replaygain_track_peak;
  std::optional<double> replaygain_album_gain;
  std::optional<double> replaygain_album_peak;
  std::optional<std::string> lyrics;
  std::optional<std::string> uploaded_by;
  std::int64_t play_count = 0;
  std::optional<std::string> content_hash;  // BLAKE3 hex of the file's bytes
  util::Micros created_at = 0;
  // Joined for "enriched" responses.
  std::string artist_name;
  std::optional<std::string> album_title;
  std::optional<std::string> cover_url;
};

}  // namespace st::model
