#include "themes/path_rules.hpp"

#include <array>

namespace st::themes {

namespace {

constexpr std::size_t kMaxPath = 1024;
constexpr std::size_t kMaxComponent = 255;

bool safe_component(std::string_view c) {
  if (c.empty() || c.size() > kMaxComponent || c == "." || c == "..") return false;
  for (unsigned char ch : c)
    if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == ':') return false;  // ':' and '\' mean other things on Windows
  return true;
}

}  // namespace

bool safe_relative_path(std::string_view p) {
  if (p.ends_with('/')) p.remove_suffix(1);
  if (p.empty() || p.size() > kMaxPath) return false;
  std::size_t start = 0;
  while (true) {
    auto slash = p.find('/', start);
    if (!safe_component(p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)))
      return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string normalize_entry_name(std::string_view p) {
  while (p.starts_with("./")) p.remove_prefix(2);
  if (p.ends_with('/')) p.remove_suffix(1);
  return std::string(p);
}

bool allowed_extension(std::string_view filename) {
  static constexpr std::array<std::string_view, 10> kAllowed{"css", "png", "jpg", "jpeg", "svg",
                                                              "webp", "woff2", "woff", "ttf", "otf"};
  auto slash = filename.rfind('/');
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  auto dot = filename.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  auto ext = filename.substr(dot + 1);
  if (ext.size() > 5) return false;
  std::string lower;
  for (char c : ext) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (auto a : kAllowed)
    if (lower == a) return true;
  return false;
}

}  // namespace st::themes
