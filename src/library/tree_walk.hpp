#pragma once
// A streamed walk of a music folder: files are handed over as they are found, so an import starts on
// the first album at once and never holds the whole tree's paths (a million paths is ~100 MB).
#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <string>

namespace st::library {

struct WalkResult {
  std::uint64_t outside_root = 0;  // linked files whose target is outside the root, left out
  std::string error;               // the root itself could not be read
};

// Calls on_file(path, st) for every regular file under root (canonical, ending in '/'), depth first, each
// folder's entries in byte order (an album's files arrive together). st is the file's status (its target's
// for a linked file), taken relative to the open folder (no walk of the whole path: a rescan of a million
// unchanged files is mostly these calls), or null when it could not be taken. Symlinked folders are not
// followed; a linked file counts only when its target is inside root. Unreadable sub-folders are skipped.
// Files for which skip(path) is true are passed over unexamined (and not counted as outside the root).
// on_file returns false to stop the walk.
WalkResult walk_tree(const std::string& root, const std::function<bool(const std::string&)>& skip,
                     const std::function<bool(const std::string&, const struct stat*)>& on_file);

}  // namespace st::library
