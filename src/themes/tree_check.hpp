#pragma once
// Checks a fetched theme tree on disk before anything of it is installed.
#include <cstdint>
#include <string>

namespace st::themes {

struct TreeLimits {
  std::uint64_t max_bytes = 20ull * 1024 * 1024;  // THEME_MAX_SIZE_MB
  std::uint64_t max_files = 1000;
};

// "" when every entry under root (a ".git" folder at the root excepted) is a folder or a regular file with
// an allowed extension (theme.toml at the root too), there is no symlink or special file, and the files
// stay within the limits; otherwise what is wrong, naming the entry.
std::string check_tree(const std::string& root, const TreeLimits& limits);

}  // namespace st::themes
