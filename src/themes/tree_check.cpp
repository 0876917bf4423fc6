#include "themes/tree_check.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "themes/path_rules.hpp"

namespace st::themes {

namespace fs = std::filesystem;

std::string check_tree(const std::string& root, const TreeLimits& limits) {
  std::error_code ec;
  std::uint64_t files = 0, bytes = 0, entries = 0;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return "cannot read the theme";
  for (; it != end; it.increment(ec)) {
    if (ec) return "cannot read the theme";
    // Folders count too: a tree of empty folders is not free either.
    if (++entries > limits.max_files * 4) return fmt::format("the theme has more than {} entries", limits.max_files * 4);
    // Lexically: fs::relative would follow a symlink and name its target instead.
    auto rel = it->path().lexically_relative(root).generic_string();
    if (rel == ".git" && it.depth() == 0) {
      it.disable_recursion_pending();  // a clone's own metadata, never installed
      continue;
    }
    auto st = it->symlink_status(ec);
    if (ec) return "cannot read the theme";
    if (fs::is_symlink(st)) return fmt::format("{}: symlinks are not allowed", rel);
    if (fs::is_directory(st)) continue;
    if (!fs::is_regular_file(st)) return fmt::format("{}: only regular files are allowed", rel);
    if (!safe_relative_path(rel)) return fmt::format("{}: file name not allowed", rel);
    if (rel != "theme.toml" && !allowed_extension(rel))
      return fmt::format("{}: file type not allowed (allowed: css png jpg jpeg svg webp woff2 woff ttf otf)", rel);
    if (++files > limits.max_files) return fmt::format("the theme has more than {} files", limits.max_files);
    bytes += it->file_size(ec);
    if (ec) return "cannot read the theme";
    if (bytes > limits.max_bytes)
      return fmt::format("the theme is larger than {} MB", limits.max_bytes / (1024 * 1024));
  }
  return "";
}

}  // namespace st::themes
