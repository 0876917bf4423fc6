#include "app/outside_services.hpp"

#include <fmt/format.h>

#include "app/version.hpp"
#include "lib/curl/http_get.hpp"

namespace st::app {

library::OnlineLyrics online_lyrics(const Config& c, Services& s, library::LyricsCache& cache) {
  return [&c, &s, &cache](const std::string& title, const std::string& artist) {
    library::LyricsProviderConfig lc;
    lc.provider = s.settings->text("lyrics_provider");
    lc.musixmatch_key = s.settings->text("lyrics_musixmatch_key");
    lc.lyricscom_key = s.settings->text("lyrics_lyricscom_key");
    if (!c.lyrics_musixmatch_url.empty()) lc.musixmatch_base = c.lyrics_musixmatch_url;
    if (!c.lyrics_lyricscom_url.empty()) lc.lyricscom_base = c.lyrics_lyricscom_url;
    auto get = [](const std::string& url) {
      auto r = lib::curl::get(url, 10);
      return std::pair<long, std::string>(r.status, std::move(r.body));
    };
    if (lc.provider != "musixmatch" && lc.provider != "lyricscom") return library::fetch_remote_lyrics(get, lc, title, artist);
    // The key names everything the answer depends on: a change of provider or key asks again.
    std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", lc.provider, lc.musixmatch_key, lc.lyricscom_key,
                                  lc.musixmatch_base, lc.lyricscom_base, title, artist);
    return cache.get(key, [&] { return library::fetch_remote_lyrics(get, lc, title, artist); });
  };
}

std::unique_ptr<library::MusicBrainzClient> make_musicbrainz(const Config& c, Services& s) {
  return std::make_unique<library::MusicBrainzClient>(
      [](const library::WebRequest& w) {
        auto r = lib::curl::get(w.url, w.timeout_seconds, w.max_body, w.user_agent);
        return library::WebReply{r.status, std::move(r.body), std::move(r.content_type)};
      },
      [&c, &s] {
        library::MusicBrainzConfig m;
        auto text = [&s](const char* key, std::string fallback) {
          auto v = s.settings->text(key);
          return v.empty() ? fallback : v;
        };
        m.base = text("musicbrainz_base_url", m.base);
        m.coverart_base = text("coverart_base_url", m.coverart_base);
        m.wikipedia_base = text("wikipedia_base_url", m.wikipedia_base);
        m.wikidata_base = text("wikidata_base_url", m.wikidata_base);
        m.user_agent = text("musicbrainz_user_agent", fmt::format("SoundTime/{} ( {}://{} )", kVersion, c.scheme, c.domain));
        m.min_interval = std::chrono::milliseconds(c.musicbrainz_min_interval_ms);
        return m;
      });
}

std::unique_ptr<editorial::Generator> make_editorial(const Config& c, Services& s) {
  editorial::GeneratorOptions options;
  options.timeout_seconds = c.ai_timeout_seconds;
  return std::make_unique<editorial::Generator>(
      *s.catalog, *s.playlists, *s.users,
      editorial::SettingsAccess{[&s](std::string_view k) { return s.settings->text(k); },
                                [&s](std::string_view k, std::string_view v) { s.settings->put(k, v); }},
      [](const editorial::ChatHttpRequest& r) {
        auto a = lib::curl::post(r.url, r.body, "application/json", r.headers, r.timeout_seconds, r.max_body);
        return editorial::ChatHttpReply{a.status, std::move(a.body)};
      },
      options);
}

}  // namespace st::app
