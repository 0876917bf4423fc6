#include "library/lyrics.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace st::library {

namespace {

// "[mm:ss.xx]" or "[mm:ss]" at the start of s: seconds, and the length consumed.
std::optional<std::pair<double, std::size_t>> stamp(std::string_view s) {
  if (s.size() < 7 || s[0] != '[') return std::nullopt;
  auto close = s.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  auto inner = s.substr(1, close - 1);
  auto colon = inner.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto mins = inner.substr(0, colon);
  auto secs = inner.substr(colon + 1);
  if (!std::all_of(mins.begin(), mins.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  if (secs.empty() || !std::all_of(secs.begin(), secs.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
      }))
    return std::nullopt;
  std::string sec(secs);
  std::replace(sec.begin(), sec.end(), ':', '.');  // some writers use mm:ss:xx
  char* end = nullptr;
  double seconds = std::strtod(sec.c_str(), &end);
  if (end == sec.c_str()) return std::nullopt;
  return std::make_pair(std::strtod(std::string(mins).c_str(), nullptr) * 60 + seconds, close + 1);
}

}  // namespace

Lyrics parse_lyrics(std::string_view text, std::string source) {
  Lyrics out;
  out.source = std::move(source);
  double offset = 0;
  std::string plain;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view rest(line);
    std::vector<double> times;
    while (auto s = stamp(rest)) {
      times.push_back(s->first);
      rest.remove_prefix(s->second);
    }
    if (times.empty()) {
      // [ar:...], [ti:...] and the like are metadata; [offset:...] shifts every stamp.
      if (rest.size() > 2 && rest.front() == '[' && rest.back() == ']' && rest.find(':') != std::string_view::npos) {
        if (rest.substr(1, 7) == "offset:") offset = std::atof(std::string(rest.substr(8)).c_str()) / 1000.0;
        continue;
      }
      plain += line + "\n";
      continue;
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    for (double t : times) out.synced.push_back({t, std::string(rest)});
    plain += std::string(rest) + "\n";
  }
  for (auto& l : out.synced) l.time_secs = std::max(0.0, l.time_secs - offset);
  std::stable_sort(out.synced.begin(), out.synced.end(),
                   [](const LyricLine& a, const LyricLine& b) { return a.time_secs < b.time_secs; });
  while (!plain.empty() && (plain.back() == '\n' || plain.back() == ' ')) plain.pop_back();
  out.plain = std::move(plain);
  return out;
}

std::optional<Lyrics> find_lyrics(const std::string& audio_path, const std::optional<std::string>& embedded) {
  namespace fs = std::filesystem;
  fs::path lrc = fs::path(audio_path).replace_extension(".lrc");
  std::error_code ec;
  if (fs::is_regular_file(lrc, ec) && fs::file_size(lrc, ec) < 1024 * 1024) {
    std::ifstream in(lrc, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto l = parse_lyrics(text, "lrc");
    if (!l.plain.empty()) return l;
  }
  if (embedded && !embedded->empty()) return parse_lyrics(*embedded, "embedded");
  return std::nullopt;
}

}  // namespace st::library
