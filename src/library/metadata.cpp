#include "library/metadata.hpp"

#include <cctype>
#include <filesystem>

namespace st::library {

std::string clean_name(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) < 0x20) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::optional<std::string> normalize_genre(std::string_view raw) {
  auto cut = raw.find_first_of("/;,:\\|");
  std::string g = clean_name(raw.substr(0, cut));
  if (g.empty()) return std::nullopt;
  bool start = true;
  for (char& c : g) {
    auto u = static_cast<unsigned char>(c);
    if (u == ' ' || c == '-') {
      start = true;
      continue;
    }
    if (u < 0x80) c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = false;
  }
  return g;
}

namespace {
std::string fold(std::string_view s) {
  std::string out = clean_name(s);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) c = static_cast<char>(std::tolower(u));
  }
  return out;
}

std::optional<std::string> non_empty(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  auto c = clean_name(*s);
  if (c.empty()) return std::nullopt;
  return c;
}
}  // namespace

ResolvedNames resolve_names(const audio::AudioTags& t, std::string_view file_path) {
  ResolvedNames n;
  if (auto v = non_empty(t.title)) n.title = *v;
  else {
    n.title = clean_name(std::filesystem::path(file_path).stem().string());
    if (n.title.empty()) n.title = "Unknown";
  }
  n.artist = t.artists.empty() ? "" : clean_name(t.artists.front());
  if (n.artist.empty()) n.artist = "Unknown Artist";
  if (auto v = non_empty(t.album_artist)) n.album_artist = *v;
  else n.album_artist = t.compilation ? "Various Artists" : n.artist;
  if (auto v = non_empty(t.album)) n.album = *v;
  else n.album = "Singles";
  for (const auto& g : t.genres) {
    if (auto ng = normalize_genre(g)) {
      n.genre = ng;
      break;
    }
  }
  return n;
}

std::string artist_key(std::string_view name, const std::optional<std::string>& mbid) {
  if (mbid && !mbid->empty()) return "mb:" + fold(*mbid);
  return "name:" + fold(name);
}

std::string album_key(std::string_view album_artist_id, std::string_view title, const std::optional<std::string>& mbid) {
  if (mbid && !mbid->empty()) return "mb:" + fold(*mbid);
  return std::string(album_artist_id) + "|" + fold(title);
}

}  // namespace st::library
