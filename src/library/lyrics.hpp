#pragma once
// Lyrics from what travels with the music: the tags (plain or LRC-formatted) and an .lrc file beside
// the audio. Synced lyrics are parsed into timed lines.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st::library {

struct LyricLine {
  double time_secs = 0;
  std::string text;
};

struct Lyrics {
  std::string plain;              // the text without timestamps
  std::vector<LyricLine> synced;  // empty when the source has no timestamps
  std::string source;             // "embedded" or "lrc"
};

// Parses LRC ("[01:02.50]text", several stamps per line, [offset:+250]); other lines become plain text.
Lyrics parse_lyrics(std::string_view text, std::string source);

// The sidecar first (it is usually the synced one), then the embedded text.
std::optional<Lyrics> find_lyrics(const std::string& audio_path, const std::optional<std::string>& embedded);

}  // namespace st::library
