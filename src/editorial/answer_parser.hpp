#pragma once
// Reads the playlists out of a chat model's answer. The answer is untrusted text: it may be wrapped in
// code fences or prose, use other field names, name tracks that were never sent, repeat them, or be huge
// or not JSON at all. Only well-formed playlists of tracks from the sent set come out, within hard limits;
// anything else is an error saying what was wrong.
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace st::editorial {

struct ProposedPlaylist {
  std::string name;
  std::string description;
  std::vector<std::string> track_ids;
};

struct ParseLimits {
  std::size_t max_content_bytes = 512 * 1024;   // the model's text
  std::size_t max_playlists = 12;                // more are ignored
  std::size_t max_tracks_per_playlist = 50;      // more are cut
  std::size_t max_total_tracks = 300;            // over all playlists
  std::size_t min_tracks_per_playlist = 2;       // fewer: the playlist is dropped
  std::size_t max_name_chars = 100;              // code points
  std::size_t max_description_chars = 500;
};

struct ParseResult {
  std::vector<ProposedPlaylist> playlists;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// `content`: the model's message text. `sent`: the ids of the tracks that were offered.
ParseResult parse_playlists(std::string_view content, const std::set<std::string, std::less<>>& sent,
                            const ParseLimits& limits = {});

// `body`: the HTTP body of a chat completions answer ({"choices":[{"message":{"content":...}}]}).
ParseResult parse_chat_answer(std::string_view body, const std::set<std::string, std::less<>>& sent,
                              const ParseLimits& limits = {});

// Text for a name or description: control characters become spaces, runs of white space one space,
// trimmed, at most max_chars code points (the input is valid UTF-8).
std::string clean_text(std::string_view s, std::size_t max_chars);

}  // namespace st::editorial
