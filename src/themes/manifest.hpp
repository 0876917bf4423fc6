#pragma once
// theme.toml: the manifest at the root of a theme. We read the small TOML subset a manifest needs
// ([tables], bare keys, basic and literal strings, comments) with hard limits, and refuse the rest.
#include <optional>
#include <string>
#include <string_view>

namespace st::themes {

struct Manifest {
  std::string name;     // ^[a-z][a-z0-9-]{1,63}$
  std::string version;  // contains a dot
  std::optional<std::string> description;
  std::optional<std::string> author;
  std::optional<std::string> license;
  std::optional<std::string> homepage;
  std::string css;                        // [assets] css: relative path ending in .css
  std::optional<std::string> assets_dir;  // [assets] assets_dir: relative folder
};

struct ManifestResult {
  std::optional<Manifest> manifest;
  std::string error;  // set when manifest is empty; says what to fix, with the line number
};

constexpr std::size_t kMaxManifestBytes = 16 * 1024;

ManifestResult parse_manifest(std::string_view text);

bool valid_theme_name(std::string_view name);

}  // namespace st::themes
