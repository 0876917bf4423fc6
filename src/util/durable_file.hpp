#pragma once
// Files that are whole or absent: written under a temporary name, flushed to disk, then renamed over the
// final name (and the directory flushed), so a crash or kill -9 never leaves a half-written file that a
// later run would trust (an outboard, a cover, a key).
#include <string>
#include <string_view>

namespace st::util {

// Writes bytes to path durably; false (and nothing under path changed) when any step fails.
bool write_durably(const std::string& path, std::string_view bytes);

// Flushes a file already written (by a library that wrote it itself) before it is renamed into place.
bool sync_file(const std::string& path);

}  // namespace st::util
