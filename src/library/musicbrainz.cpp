#include "library/musicbrainz.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <cmath>
#include <tuple>
#include <thread>

#include "util/strings.hpp"

namespace st::library {

namespace {

namespace json = boost::json;

json::value parse(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) throw LookupError("unreadable answer: " + ec.message());
  return v;
}

const json::value* field(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

std::optional<std::string> str(const json::value* v) {
  if (!v || !v->is_string() || v->as_string().empty()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<std::int64_t> integer(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  if (v->is_string()) {  // the search API has given scores as strings
    auto n = util::parse_int(std::string(v->as_string()));
    if (n) return *n;
  }
  return std::nullopt;
}

const json::array* array(const json::value* v) { return v && v->is_array() ? &v->as_array() : nullptr; }

std::optional<int> year_of(const std::optional<std::string>& date) {
  if (!date || date->size() < 4) return std::nullopt;
  auto y = util::parse_int(date->substr(0, 4));
  if (!y || *y < 1000 || *y > 9999) return std::nullopt;
  return static_cast<int>(*y);
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Whether a URL's host is one of the public services or below one (a cover served by archive.org too).
bool is_public_service(const std::string& url) {
  auto scheme = url.find("://");
  auto start = scheme == std::string::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/:?#", start);
  auto host = util::to_lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
  for (std::string_view known : {"musicbrainz.org", "coverartarchive.org", "archive.org", "wikipedia.org",
                                 "wikidata.org"}) {
    if (host == known) return true;
    if (host.size() > known.size() && host.compare(host.size() - known.size(), known.size(), known) == 0 &&
        host[host.size() - known.size() - 1] == '.')
      return true;
  }
  return false;
}

MbRecording read_recording(const json::value& r) {
  MbRecording m;
  m.id = str(field(r, "id")).value_or("");
  m.title = str(field(r, "title")).value_or("");
  m.score = static_cast<int>(integer(field(r, "score")).value_or(0));
  m.year = year_of(str(field(r, "first-release-date")));
  if (auto* credits = array(field(r, "artist-credit")); credits && !credits->empty()) {
    const auto* artist = field(credits->front(), "artist");
    if (artist) {
      m.artist_id = str(field(*artist, "id")).value_or("");
      m.artist_name = str(field(*artist, "name")).value_or("");
    }
  }
  if (auto* tags = array(field(r, "tags"))) {
    std::int64_t best = -1;
    for (const auto& t : *tags) {
      auto n = integer(field(t, "count")).value_or(0);
      auto name = str(field(t, "name"));
      if (name && n > best) {
        best = n;
        m.genre = name;
      }
    }
  }
  if (auto* releases = array(field(r, "releases")); releases && !releases->empty()) {
    const json::value* chosen = &releases->front();
    for (const auto& rel : *releases) {
      const auto* group = field(rel, "release-group");
      bool album = group && str(field(*group, "primary-type")).value_or("") == "Album";
      if (str(field(rel, "status")).value_or("") == "Official" && album) {
        chosen = &rel;
        break;
      }
    }
    m.release_id = str(field(*chosen, "id"));
    m.release_title = str(field(*chosen, "title"));
  }
  return m;
}

}  // namespace

std::chrono::milliseconds polite_interval(const std::string& url, std::chrono::milliseconds wanted) {
  if (is_public_service(url) && wanted < std::chrono::milliseconds(1000)) return std::chrono::milliseconds(1000);
  return wanted < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : wanted;
}

std::string recording_query(const std::string& title, const std::string& artist) {
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    return out + "\"";
  };
  return "recording:" + quote(title) + " AND artist:" + quote(artist);
}

std::optional<MbRecording> parse_recording_search(const std::string& text, double duration_secs) {
  auto v = parse(text);
  auto* recordings = array(field(v, "recordings"));
  if (!recordings) throw LookupError("the answer has no recordings list");
  std::optional<MbRecording> first;
  for (const auto& r : *recordings) {
    auto m = read_recording(r);
    if (m.score < 80 || m.id.empty()) continue;
    if (!first) first = m;
    auto length_ms = integer(field(r, "length"));
    if (duration_secs > 0 && length_ms &&
        std::fabs(static_cast<double>(*length_ms) / 1000.0 - duration_secs) <= 10.0)
      return m;
  }
  return first;
}

MbArtistLinks parse_artist_links(const std::string& text) {
  auto v = parse(text);
  MbArtistLinks links;
  auto* relations = array(field(v, "relations"));
  if (!relations) return links;
  for (const auto& rel : *relations) {
    auto type = str(field(rel, "type")).value_or("");
    const auto* url = field(rel, "url");
    auto resource = url ? str(field(*url, "resource")) : std::nullopt;
    if (!resource) continue;
    if (type == "wikipedia" && !links.wikipedia_url) {
      links.wikipedia_url = resource;
    } else if (type == "wikidata" && !links.wikidata_id) {
      auto slash = resource->rfind('/');
      auto id = slash == std::string::npos ? *resource : resource->substr(slash + 1);
      if (!id.empty() && id[0] == 'Q') links.wikidata_id = id;
    } else if (type == "image" && !links.image_url) {
      auto lower = util::to_lower(*resource);
      for (const char* ext : {".jpg", ".jpeg", ".png", ".webp"})
        if (lower.size() > 5 && lower.substr(lower.size() - std::string_view(ext).size()) == ext)
          links.image_url = resource;
    }
  }
  return links;
}

std::optional<std::pair<std::string, std::string>> parse_wikidata_sitelink(const std::string& text,
                                                                           const std::string& entity) {
  auto v = parse(text);
  const auto* entities = field(v, "entities");
  const auto* e = entities ? field(*entities, entity) : nullptr;
  const auto* links = e ? field(*e, "sitelinks") : nullptr;
  if (!links || !links->is_object()) return std::nullopt;
  for (const char* site : {"enwiki", "frwiki"}) {
    if (const auto* l = field(*links, site))
      if (auto title = str(field(*l, "title"))) return std::pair{std::string(site, 2), *title};
  }
  for (const auto& [key, l] : links->as_object()) {
    std::string site(key);
    // Language Wikipedias only ("dewiki"), not Commons, Wikiquote ("enwikiquote") and the like.
    if (site.size() < 5 || site.substr(site.size() - 4) != "wiki" || site == "commonswiki" || site == "specieswiki" ||
        site == "metawiki")
      continue;
    if (auto title = str(field(l, "title"))) return std::pair{site.substr(0, site.size() - 4), *title};
  }
  return std::nullopt;
}

WikiSummary parse_wiki_summary(const std::string& text) {
  auto v = parse(text);
  WikiSummary s;
  s.extract = str(field(v, "extract"));
  for (const char* key : {"thumbnail", "originalimage"}) {
    if (const auto* img = field(v, key))
      if (auto src = str(field(*img, "source"))) {
        s.image_url = src;
        break;
      }
  }
  return s;
}

std::optional<std::string> parse_front_cover(const std::string& text) {
  auto v = parse(text);
  auto* images = array(field(v, "images"));
  if (!images) return std::nullopt;
  for (const auto& img : *images) {
    const auto* front = field(img, "front");
    if (!front || !front->is_bool() || !front->as_bool()) continue;
    if (const auto* thumbs = field(img, "thumbnails"))
      for (const char* size : {"500", "large", "250"})
        if (auto url = str(field(*thumbs, size))) return url;
    return str(field(img, "image"));
  }
  return std::nullopt;
}

MusicBrainzClient::MusicBrainzClient(WebGet get, std::function<MusicBrainzConfig()> config)
    : get_(std::move(get)), config_(std::move(config)) {}

std::optional<WebReply> MusicBrainzClient::fetch(const std::string& url, std::size_t max_body) {
  auto c = config_();
  std::lock_guard lock(mu_);
  auto wait = polite_interval(url, c.min_interval);
  auto now = std::chrono::steady_clock::now();
  if (last_.time_since_epoch().count() != 0 && now < last_ + wait) std::this_thread::sleep_until(last_ + wait);
  WebReply reply;
  try {
    reply = get_(WebRequest{url, c.user_agent, 15, max_body});
  } catch (const std::exception& e) {
    last_ = std::chrono::steady_clock::now();
    throw LookupError(e.what());
  }
  last_ = std::chrono::steady_clock::now();
  if (reply.status == 404) return std::nullopt;
  if (reply.status < 200 || reply.status >= 300)
    throw LookupError("the service answered HTTP " + std::to_string(reply.status));
  return reply;
}

std::optional<MbRecording> MusicBrainzClient::find_recording(const std::string& title, const std::string& artist,
                                                             double duration_secs) {
  auto base = trim_slash(config_().base);
  auto reply = fetch(base + "/recording?query=" + util::percent_encode(recording_query(title, artist)) +
                     "&fmt=json&limit=5");
  if (!reply) return std::nullopt;
  return parse_recording_search(reply->body, duration_secs);
}

MbArtistLinks MusicBrainzClient::artist_links(const std::string& artist_mbid) {
  auto base = trim_slash(config_().base);
  auto reply = fetch(base + "/artist/" + util::percent_encode(artist_mbid) + "?inc=url-rels&fmt=json");
  if (!reply) return {};
  return parse_artist_links(reply->body);
}

WikiSummary MusicBrainzClient::artist_summary(const MbArtistLinks& links, const std::string& artist_name) {
  auto c = config_();
  std::string lang = "en", title;
  if (links.wikipedia_url) {
    // https://<lang>.wikipedia.org/wiki/<title>
    const auto& u = *links.wikipedia_url;
    auto scheme = u.find("://");
    auto dot = u.find('.', scheme == std::string::npos ? 0 : scheme + 3);
    auto wiki = u.find("/wiki/");
    if (scheme != std::string::npos && dot != std::string::npos && wiki != std::string::npos) {
      lang = u.substr(scheme + 3, dot - scheme - 3);
      title = util::percent_decode(u.substr(wiki + 6), false).value_or("");
    }
  }
  if (title.empty() && links.wikidata_id) {
    auto reply = fetch(trim_slash(c.wikidata_base) + "/wiki/Special:EntityData/" + *links.wikidata_id + ".json");
    if (reply)
      if (auto site = parse_wikidata_sitelink(reply->body, *links.wikidata_id)) std::tie(lang, title) = *site;
  }
  if (title.empty()) title = artist_name;
  for (char& ch : title)
    if (ch == ' ') ch = '_';
  bool lang_ok = !lang.empty() && lang.size() <= 12;
  for (char ch : lang) lang_ok = lang_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-');
  if (!lang_ok) lang = "en";
  auto base = trim_slash(c.wikipedia_base);
  if (auto at = base.find("{lang}"); at != std::string::npos) base.replace(at, 6, lang);
  auto reply = fetch(base + "/api/rest_v1/page/summary/" + util::percent_encode(title));
  if (!reply) return {};
  auto s = parse_wiki_summary(reply->body);
  if (links.image_url && !s.image_url) s.image_url = links.image_url;
  return s;
}

std::optional<std::string> MusicBrainzClient::front_cover(const std::string& release_mbid) {
  auto listing = fetch(trim_slash(config_().coverart_base) + "/release/" + util::percent_encode(release_mbid));
  if (!listing) return std::nullopt;
  auto url = parse_front_cover(listing->body);
  if (!url) return std::nullopt;
  auto image = fetch(*url, 16 * 1024 * 1024);
  if (!image) return std::nullopt;
  return std::move(image->body);
}

}  // namespace st::library
