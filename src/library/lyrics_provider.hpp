#pragma once
// Lyrics from an online provider, as the original fetches them when the music carries none: Musixmatch
// or Lyrics.com (STANDS4), chosen by the lyrics_provider setting with their API keys. Base URLs are
// configurable (LYRICS_MUSIXMATCH_URL, LYRICS_LYRICSCOM_URL) so that tests use a local server.
#include <functional>
#include <optional>
#include <string>

namespace st::library {

// An HTTP GET: (status, body); throws std::runtime_error when no answer arrives.
using HttpGet = std::function<std::pair<long, std::string>(const std::string& url)>;

struct LyricsProviderConfig {
  std::string provider;  // "musixmatch", "lyricscom"; anything else: none
  std::string musixmatch_key;
  std::string lyricscom_key;
  std::string musixmatch_base = "https://api.musixmatch.com";
  std::string lyricscom_base = "https://www.stands4.com";
};

struct RemoteLyrics {
  std::optional<std::string> text;
  std::optional<std::string> source;  // the provider, when one was asked
};

// Throws DomainError: unavailable (503) when the chosen provider has no key; bad_gateway (502) when it
// cannot be reached or answers something unreadable.
RemoteLyrics fetch_remote_lyrics(const HttpGet& get, const LyricsProviderConfig& config, const std::string& title,
                                 const std::string& artist);

// Lyrics of (title, artist) from the provider the settings name, as the REST API and the Subsonic API
// both ask when the music carries none (wired in app/). Throws like fetch_remote_lyrics.
using OnlineLyrics = std::function<RemoteLyrics(const std::string& title, const std::string& artist)>;

}  // namespace st::library
