#pragma once
// Rules for paths named by a theme (manifest entries, archive entries, asset requests): relative,
// '/'-separated, no "." or ".." component, no control characters, bounded length.
#include <string>
#include <string_view>

namespace st::themes {

// True when p is a safe relative path ("css/main.css"); one trailing '/' is tolerated (a directory).
bool safe_relative_path(std::string_view p);

// p without a leading "./" and a trailing '/', as archives often write them.
std::string normalize_entry_name(std::string_view p);

// The file extensions a theme may contain besides theme.toml (css, images, fonts), case-insensitive.
bool allowed_extension(std::string_view filename);

}  // namespace st::themes
