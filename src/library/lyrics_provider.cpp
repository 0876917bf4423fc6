#include "library/lyrics_provider.hpp"

#include <boost/json.hpp>

#include "model/errors.hpp"
#include "util/strings.hpp"

namespace st::library {

namespace {

namespace json = boost::json;

std::string encode(const std::string& s) { return util::percent_encode(s); }

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

json::value fetch_json(const HttpGet& get, const std::string& url) {
  std::pair<long, std::string> reply;
  try {
    reply = get(url);
  } catch (const std::exception&) {
    throw model::DomainError(model::ErrorKind::bad_gateway, "Lyrics API request failed");
  }
  try {
    return json::parse(reply.second);
  } catch (const std::exception&) {
    throw model::DomainError(model::ErrorKind::bad_gateway, "Invalid response from lyrics API");
  }
}

const json::value* at_path(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(key);
    if (!cur) return nullptr;
  }
  return cur;
}

std::optional<std::string> non_empty_string(const json::value* v) {
  if (!v || !v->is_string() || v->as_string().empty()) return std::nullopt;
  return std::string(v->as_string());
}

}  // namespace

RemoteLyrics fetch_remote_lyrics(const HttpGet& get, const LyricsProviderConfig& c, const std::string& title,
                                 const std::string& artist) {
  if (c.provider == "musixmatch") {
    if (c.musixmatch_key.empty())
      throw model::DomainError(model::ErrorKind::unavailable, "Musixmatch API key not configured");
    auto v = fetch_json(get, trim_slash(c.musixmatch_base) + "/ws/1.1/matcher.lyrics.get?q_track=" + encode(title) +
                                 "&q_artist=" + encode(artist) + "&apikey=" + encode(c.musixmatch_key));
    auto* status = at_path(v, {"message", "header", "status_code"});
    if (!status || !status->is_number() || status->to_number<double>() != 200) return {std::nullopt, "musixmatch"};
    return {non_empty_string(at_path(v, {"message", "body", "lyrics", "lyrics_body"})), "musixmatch"};
  }
  if (c.provider == "lyricscom") {
    if (c.lyricscom_key.empty())
      throw model::DomainError(model::ErrorKind::unavailable, "Lyrics.com API key not configured");
    auto v = fetch_json(get, trim_slash(c.lyricscom_base) + "/services/v2/lyrics.php?uid=1&tokenid=" +
                                 encode(c.lyricscom_key) + "&term=" + encode(title) + "&artist=" + encode(artist) +
                                 "&format=json");
    if (at_path(v, {"err"})) return {std::nullopt, "lyricscom"};
    auto text = non_empty_string(at_path(v, {"lyric"}));
    if (!text) {  // the service also answers {"result": [{"lyric": ...}]}
      if (auto* r = at_path(v, {"result"}); r && r->is_array() && !r->as_array().empty())
        text = non_empty_string(at_path(r->as_array().front(), {"lyric"}));
    }
    return {text, "lyricscom"};
  }
  return {};
}

}  // namespace st::library
