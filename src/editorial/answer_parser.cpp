#include "editorial/answer_parser.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace st::editorial {

namespace json = boost::json;

namespace {

// The text between the first code fence and the next one ("```json\n...\n```"), or the text itself.
std::string_view strip_fences(std::string_view s) {
  auto open = s.find("```");
  if (open == std::string_view::npos) return s;
  auto line_end = s.find('\n', open + 3);
  if (line_end == std::string_view::npos) return s.substr(open + 3);
  auto close = s.find("```", line_end + 1);
  return s.substr(line_end + 1, close == std::string_view::npos ? std::string_view::npos : close - line_end - 1);
}

bool parse_json(std::string_view text, json::value& out) {
  json::parse_options opts;
  opts.max_depth = 16;  // an answer is an array of flat objects: deeper is junk
  boost::system::error_code ec;
  out = json::parse(text, ec, {}, opts);
  return !ec;
}

// The answer's JSON: as it is, else the outermost [...] inside prose (models sometimes say something first).
bool find_json(std::string_view text, json::value& out) {
  if (parse_json(text, out)) return true;
  auto first = text.find('[');
  auto last = text.rfind(']');
  if (first == std::string_view::npos || last == std::string_view::npos || last <= first) return false;
  return parse_json(text.substr(first, last - first + 1), out);
}

const json::value* field(const json::object& o, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (auto it = o.find(n); it != o.end() && !it->value().is_null()) return &it->value();
  return nullptr;
}

// The array of playlists: the value itself, or the first array under a usual wrapper key.
const json::array* playlists_array(const json::value& v) {
  if (v.is_array()) return &v.as_array();
  if (!v.is_object()) return nullptr;
  if (auto* a = field(v.as_object(), {"playlists", "data", "items", "result"}); a && a->is_array()) return &a->as_array();
  return nullptr;
}

std::string_view id_of(const json::value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_object()) {
    if (auto* id = field(v.as_object(), {"id", "track_id"}); id && id->is_string()) return id->as_string();
  }
  return {};
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string clean_text(std::string_view s, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(s.size(), max_chars * 4));
  std::size_t chars = 0;
  bool space = false;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) break;
    bool bad = false;
    for (std::size_t k = 1; k < len; ++k) bad = bad || !is_continuation(static_cast<unsigned char>(s[i + k]));
    if (bad || (len == 1 && c >= 0x80)) {  // not UTF-8: skipped (Boost.JSON has checked, this is belt and braces)
      ++i;
      continue;
    }
    std::string_view cp = s.substr(i, len);
    i += len;
    // C0, DEL, C1 controls, and the line/paragraph separators and bidi overrides that reorder text.
    bool control = (len == 1 && (c < 0x20 || c == 0x7F)) || (len == 2 && c == 0xC2 && static_cast<unsigned char>(cp[1]) < 0xA0) ||
                   cp == "\u2028" || cp == "\u2029" || cp == "\u202A" || cp == "\u202B" || cp == "\u202C" ||
                   cp == "\u202D" || cp == "\u202E" || cp == "\u2066" || cp == "\u2067" || cp == "\u2068" ||
                   cp == "\u2069" || cp == "\uFEFF";
    if (control || (len == 1 && c == ' ')) {
      space = !out.empty();
      continue;
    }
    if (chars + (space ? 1 : 0) + 1 > max_chars) break;
    if (space) {
      out += ' ';
      ++chars;
      space = false;
    }
    out.append(cp);
    ++chars;
  }
  return out;
}

ParseResult parse_playlists(std::string_view content, const std::set<std::string, std::less<>>& sent,
                            const ParseLimits& limits) {
  ParseResult r;
  if (content.size() > limits.max_content_bytes) {
    r.error = fmt::format("The AI answer is too long ({} bytes, {} at most)", content.size(), limits.max_content_bytes);
    return r;
  }
  json::value v;
  if (!find_json(strip_fences(content), v)) {
    r.error = "The AI answer is not JSON";
    return r;
  }
  const auto* items = playlists_array(v);
  if (!items) {
    r.error = "The AI answer is not a JSON array of playlists";
    return r;
  }
  std::size_t total = 0;
  for (const auto& item : *items) {
    if (r.playlists.size() >= limits.max_playlists || total >= limits.max_total_tracks) break;
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const auto* name = field(o, {"name", "title"});
    const auto* tracks = field(o, {"track_ids", "tracks", "songs"});
    if (!name || !name->is_string() || !tracks || !tracks->is_array()) continue;
    ProposedPlaylist p;
    p.name = clean_text(name->as_string(), limits.max_name_chars);
    if (p.name.empty()) continue;
    if (const auto* d = field(o, {"description"}); d && d->is_string())
      p.description = clean_text(d->as_string(), limits.max_description_chars);
    std::set<std::string_view> seen;
    for (const auto& t : tracks->as_array()) {
      if (p.track_ids.size() >= limits.max_tracks_per_playlist || total + p.track_ids.size() >= limits.max_total_tracks)
        break;
      auto id = id_of(t);
      auto known = sent.find(id);
      if (known == sent.end() || !seen.insert(*known).second) continue;  // never sent, or already in
      p.track_ids.push_back(*known);
    }
    if (p.track_ids.size() < limits.min_tracks_per_playlist) continue;
    total += p.track_ids.size();
    r.playlists.push_back(std::move(p));
  }
  if (r.playlists.empty()) r.error = "The AI answer holds no usable playlist (names and tracks of the catalogue)";
  return r;
}

ParseResult parse_chat_answer(std::string_view body, const std::set<std::string, std::less<>>& sent,
                              const ParseLimits& limits) {
  ParseResult r;
  json::value v;
  if (!parse_json(body, v) || !v.is_object()) {
    r.error = "The AI service's answer is not a chat completion (not JSON)";
    return r;
  }
  const json::value* content = nullptr;
  if (auto* choices = field(v.as_object(), {"choices"}); choices && choices->is_array() && !choices->as_array().empty()) {
    const auto& first = choices->as_array().front();
    if (first.is_object()) {
      if (auto* msg = field(first.as_object(), {"message"}); msg && msg->is_object())
        content = field(msg->as_object(), {"content"});
    }
  }
  if (!content || !content->is_string()) {
    r.error = "The AI service's answer holds no message content";
    return r;
  }
  return parse_playlists(content->as_string(), sent, limits);
}

}  // namespace st::editorial
