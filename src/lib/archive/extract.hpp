#pragma once
// libarchive: extracts a .tar, .tar.gz, .tar.xz or .zip with limits, writing only folders and regular files.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace st::lib::archive {

struct ExtractLimits {
  std::uint64_t max_bytes = 20ull * 1024 * 1024;  // total of the extracted files, counted as written
  std::uint64_t max_entries = 1000;
};

// Extracts archive into dest (an existing folder). Every entry name (without "./" and a trailing '/') must be
// accepted by name_ok; symlinks, hard links and special files are refused, as are duplicate entries.
// "" on success, else the reason (dest may then hold part of the archive: the caller removes it).
std::string extract(const std::string& archive, const std::string& dest, const ExtractLimits& limits,
                    const std::function<bool(std::string_view)>& name_ok);

}  // namespace st::lib::archive
