#pragma once
// From raw tags to catalogue names: genre normalisation, fallbacks and the match keys that make
// album grouping trustworthy.
#include <optional>
#include <string>
#include <string_view>

#include "audio/tag_reader.hpp"

namespace st::library {

// The original's rule: the text before the first / ; , : \ |, trimmed, each word capitalised.
std::optional<std::string> normalize_genre(std::string_view raw);

// Whitespace collapsed and trimmed; what a name is stored as.
std::string clean_name(std::string_view s);

struct ResolvedNames {
  std::string title;
  std::string artist;        // the track's (first) artist
  std::string album_artist;  // who the album is filed under
  std::string album;
  std::optional<std::string> genre;
};

// Fallbacks as the original: title ← tag ‖ file stem ‖ "Unknown"; artist ← tag ‖ "Unknown Artist";
// album artist ← tag ‖ "Various Artists" for compilations ‖ artist; album ← tag ‖ "Singles".
ResolvedNames resolve_names(const audio::AudioTags& tags, std::string_view file_path);

// "mb:<id>" when MusicBrainz knows the artist, else "name:<folded name>".
std::string artist_key(std::string_view name, const std::optional<std::string>& mbid);
// "mb:<release id>" when tagged, else "<album artist id>|<folded title>": disc sub-folders and
// multi-disc sets stay one album because neither the folder nor the disc takes part.
std::string album_key(std::string_view album_artist_id, std::string_view title, const std::optional<std::string>& mbid);

}  // namespace st::library
