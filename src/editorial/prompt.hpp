#pragma once
// The request sent to an OpenAI-compatible chat completions API to get themed playlists out of a sample
// of the catalogue: the tracks as compact JSON, the plan (how many playlists, how long), the language.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace st::editorial {

struct PromptTrack {
  std::string id;
  std::string title;
  std::string artist;
  std::string genre;  // "Unknown" when the track has none
  std::optional<int> year;
};

struct Plan {
  int playlists = 0;
  int min_tracks = 0;  // per playlist, as asked of the model
  int max_tracks = 0;
};

// 2 playlists under 15 tracks, 4 under 50, else 6; each of clamp(tracks / playlists, 5, 25) to that + 5.
Plan plan_for(std::size_t track_count);

// The tracks as a compact JSON array of {id,title,artist,genre,year}, cut at whole tracks so that it stays
// within max_chars; `sent` tells how many went in.
std::string tracks_json(const std::vector<PromptTrack>& tracks, std::size_t max_chars, std::size_t& sent);

struct ChatRequestSpec {
  std::string model;
  std::string language = "English";
  int max_answer_tokens = 4000;
  double temperature = 0.8;
};

// The JSON body of POST <base>/chat/completions.
std::string chat_request_body(const ChatRequestSpec& spec, const std::string& tracks_json, const Plan& plan);

}  // namespace st::editorial
