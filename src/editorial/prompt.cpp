#include "editorial/prompt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

namespace st::editorial {

namespace json = boost::json;

Plan plan_for(std::size_t track_count) {
  Plan p;
  p.playlists = track_count < 15 ? 2 : track_count < 50 ? 4 : 6;
  p.min_tracks = static_cast<int>(std::clamp<std::size_t>(track_count / static_cast<std::size_t>(p.playlists), 5, 25));
  p.max_tracks = p.min_tracks + 5;
  return p;
}

std::string tracks_json(const std::vector<PromptTrack>& tracks, std::size_t max_chars, std::size_t& sent) {
  std::string out = "[";
  sent = 0;
  for (const auto& t : tracks) {
    json::object o;
    o["id"] = t.id;
    o["title"] = t.title;
    o["artist"] = t.artist;
    o["genre"] = t.genre.empty() ? "Unknown" : t.genre;
    if (t.year) o["year"] = *t.year;
    else o["year"] = nullptr;
    auto item = json::serialize(o);
    if (out.size() + item.size() + 2 > max_chars) break;
    if (sent) out += ',';
    out += item;
    ++sent;
  }
  out += ']';
  return out;
}

std::string chat_request_body(const ChatRequestSpec& spec, const std::string& tracks, const Plan& plan) {
  // The language is an admin's free text: it goes into the prompt as data, quoted by the JSON encoder.
  auto system = fmt::format(
      "You are the music editor of a streaming service. You build themed playlists from the catalogue you are "
      "given and answer with JSON only, no prose and no code fences. Write playlist names and descriptions in {}.",
      spec.language.empty() ? "English" : spec.language);
  auto user = fmt::format(
      "Here is a sample of the catalogue as a JSON array of tracks:\n{}\n\n"
      "Create {} playlists, each with a distinct theme (a mood, a genre, an era, an activity), each of {} to {} "
      "tracks taken only from the list above, a track at most once per playlist. Answer with a JSON array of "
      "objects {{\"name\": string (at most 60 characters), \"description\": string (one or two sentences), "
      "\"track_ids\": [the \"id\" values of the chosen tracks]}}.",
      tracks, plan.playlists, plan.min_tracks, plan.max_tracks);
  json::object body;
  body["model"] = spec.model;
  body["temperature"] = spec.temperature;
  body["max_tokens"] = spec.max_answer_tokens;
  json::array messages;
  messages.push_back(json::object{{"role", "system"}, {"content", system}});
  messages.push_back(json::object{{"role", "user"}, {"content", user}});
  body["messages"] = std::move(messages);
  return json::serialize(body);
}

}  // namespace st::editorial
