// AI answers: the parser never throws or crashes, and what it returns keeps its promises (only sent ids,
// no duplicates, within the caps, clean short names).
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "editorial/answer_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::set<std::string, std::less<>> sent{"a1", "a2", "a3", "b1", "b2"};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  st::editorial::ParseLimits limits;
  limits.max_playlists = 3;
  limits.max_tracks_per_playlist = 4;
  limits.max_total_tracks = 6;
  for (bool envelope : {false, true}) {
    auto r = envelope ? st::editorial::parse_chat_answer(in, sent, limits) : st::editorial::parse_playlists(in, sent, limits);
    if (r.ok() == r.playlists.empty()) std::abort();
    if (r.playlists.size() > limits.max_playlists) std::abort();
    std::size_t total = 0;
    for (const auto& p : r.playlists) {
      std::set<std::string> seen;
      if (p.name.empty() || p.name.size() > 4 * limits.max_name_chars) std::abort();
      for (unsigned char c : p.name + p.description)
        if (c < 0x20 || c == 0x7F) std::abort();
      if (p.track_ids.size() > limits.max_tracks_per_playlist) std::abort();
      for (const auto& id : p.track_ids)
        if (!sent.count(id) || !seen.insert(id).second) std::abort();
      total += p.track_ids.size();
    }
    if (total > limits.max_total_tracks) std::abort();
  }
  return 0;
}
