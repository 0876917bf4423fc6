// theme.toml and the path rules themes use (manifest entries, archive entry names, asset requests) come
// from strangers' repositories and archives. Any input parses without a crash; a refusal always says why;
// what is accepted obeys the rules (name, safe relative paths, no "..").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "themes/manifest.hpp"
#include "themes/path_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = st::themes::parse_manifest(text);
  if (!r.manifest && r.error.empty()) std::abort();
  if (r.manifest) {
    const auto& m = *r.manifest;
    if (!st::themes::valid_theme_name(m.name)) std::abort();
    if (!st::themes::safe_relative_path(m.css) || !m.css.ends_with(".css")) std::abort();
    if (m.assets_dir && !st::themes::safe_relative_path(*m.assets_dir)) std::abort();
    if (m.version.find('.') == std::string::npos || m.version.find('/') != std::string::npos) std::abort();
  }
  // The same bytes as an archive entry name.
  auto name = st::themes::normalize_entry_name(text);
  if (st::themes::safe_relative_path(name)) {
    if (name.starts_with('/') || name == ".." || name.starts_with("../") || name.ends_with("/..") ||
        name.find("/../") != std::string::npos || name.find('\0') != std::string::npos)
      std::abort();
  }
  return 0;
}
