#pragma once
#include <string>
#include <vector>

#include "app/config.hpp"

namespace st::app {

// `soundtime import DIR...`: imports the trees in place, with a progress bar on a terminal.
int import_dirs(const Config& c, const std::vector<std::string>& dirs);
// `soundtime scan`: rescans MUSIC_FOLDERS incrementally (new, changed and deleted files).
int scan_music_folders(const Config& c);

}  // namespace st::app
