#pragma once
// MusicBrainz, the Cover Art Archive and Wikipedia, read politely: every request carries the
// configured User-Agent and requests are spaced by a minimum interval (one per second for the public
// services, as MusicBrainz asks). Base URLs are configurable so that a mirror or a test stand-in can be
// used. Parsing is separate from fetching so that it can be tested on its own.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "library/web_client.hpp"

namespace st::library {

struct MusicBrainzConfig {
  std::string base = "https://musicbrainz.org/ws/2";
  std::string coverart_base = "https://coverartarchive.org";
  std::string wikipedia_base = "https://{lang}.wikipedia.org";  // {lang} is the article's language
  std::string wikidata_base = "https://www.wikidata.org";
  std::string user_agent;  // "SoundTime/<version> ( <contact> )"
  std::chrono::milliseconds min_interval{1000};
};

// The wait before a request to `url`: the public services ask for one request per second at most; a
// mirror may allow more.
std::chrono::milliseconds polite_interval(const std::string& url, std::chrono::milliseconds wanted);

struct MbRecording {
  std::string id, title;
  int score = 0;
  std::optional<int> year;            // of the first release
  std::optional<std::string> genre;   // the most voted tag
  std::string artist_id, artist_name; // the first artist credit
  std::optional<std::string> release_id, release_title;
};

struct MbArtistLinks {
  std::optional<std::string> wikipedia_url;  // https://<lang>.wikipedia.org/wiki/<title>
  std::optional<std::string> wikidata_id;    // Q...
  std::optional<std::string> image_url;      // an image relation pointing at an image file
};

struct WikiSummary {
  std::optional<std::string> extract, image_url;
};

// The service could not be asked (network, timeout, 5xx, 429, unreadable answer): worth trying later.
class LookupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The best recording of a search answer: score at least 80, preferring one whose length is within 10 s
// of `duration_secs` (when known), then an official album release.
std::optional<MbRecording> parse_recording_search(const std::string& json, double duration_secs);
MbArtistLinks parse_artist_links(const std::string& json);
// The language and title of a Wikidata entity's Wikipedia article (English, French, then any).
std::optional<std::pair<std::string, std::string>> parse_wikidata_sitelink(const std::string& json,
                                                                           const std::string& entity);
WikiSummary parse_wiki_summary(const std::string& json);
// The front cover's best image URL from a Cover Art Archive release listing (500 px, large, 250, original).
std::optional<std::string> parse_front_cover(const std::string& json);
// The Lucene query for a recording by title and artist, quotes and backslashes escaped.
std::string recording_query(const std::string& title, const std::string& artist);

class MusicBrainzClient {
 public:
  MusicBrainzClient(WebGet get, std::function<MusicBrainzConfig()> config);

  std::optional<MbRecording> find_recording(const std::string& title, const std::string& artist,
                                            double duration_secs);
  MbArtistLinks artist_links(const std::string& artist_mbid);
  // A short biography and a picture from Wikipedia, by the artist's links (or its name when it has none).
  WikiSummary artist_summary(const MbArtistLinks& links, const std::string& artist_name);
  // The bytes of a release's front cover; nothing when the archive has none.
  std::optional<std::string> front_cover(const std::string& release_mbid);

 private:
  // GET with the User-Agent, after waiting for the interval; 404 gives nothing; throws LookupError.
  std::optional<WebReply> fetch(const std::string& url, std::size_t max_body = 4 * 1024 * 1024);

  WebGet get_;
  std::function<MusicBrainzConfig()> config_;
  std::mutex mu_;  // one request at a time, spaced
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace st::library
