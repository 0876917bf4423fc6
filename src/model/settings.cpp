#include "model/settings.hpp"

#include <fmt/format.h>

#include "util/strings.hpp"

namespace st::model {

const std::vector<SettingSpec>& setting_catalogue() {
  static const std::vector<SettingSpec> all{
      {"instance_name", SettingType::text, "SoundTime", 0, 0, "Name shown to visitors and peers"},
      {"instance_description", SettingType::text, "A self-hosted music streaming instance", 0, 0,
       "One-line description of this instance"},
      {"instance_private", SettingType::boolean, "false", 0, 0,
       "Everything needs an account; public registration is closed"},
      {"open_registrations", SettingType::boolean, "true", 0, 0, "Anyone may create an account"},
      {"max_upload_size_mb", SettingType::integer, "500", 1, 10240, "Largest upload accepted, in MiB"},
      {"p2p_enabled", SettingType::boolean, "true", 0, 0, "Share the catalogue with peer instances"},
      {"p2p_sharing_mode", SettingType::text, "open", 0, 0, "open: any unblocked peer; friends: allow-list only"},
      {"share_links", SettingType::text, "auto", 0, 0,
       "Public share links (/share): auto (on for a public instance, off for a private one), on, or off"},
      {"setup_complete", SettingType::boolean, "false", 0, 0, "The setup wizard has been completed"},
      {"tos_content", SettingType::text, "", 0, 0, "Terms of service (Markdown); empty for the default"},
      {"listing_public", SettingType::boolean, "false", 0, 0, "Announce this instance to a public directory"},
      {"listing_url", SettingType::text, "", 0, 0, "Public directory server"},
      {"listing_domain", SettingType::text, "", 0, 0, "Domain announced to the directory"},
      {"listing_token", SettingType::secret, "", 0, 0, "Token issued by the directory"},
      {"lyrics_provider", SettingType::text, "none", 0, 0, "Online lyrics when the music has none: none, musixmatch or lyricscom"},
      {"lyrics_musixmatch_key", SettingType::secret, "", 0, 0, "Musixmatch API key"},
      {"lyrics_lyricscom_key", SettingType::secret, "", 0, 0, "Lyrics.com (STANDS4) API token"},
      {"musicbrainz_base_url", SettingType::text, "https://musicbrainz.org/ws/2", 0, 0,
       "MusicBrainz web service (or a mirror) used to enrich metadata"},
      {"musicbrainz_user_agent", SettingType::text, "", 0, 0,
       "User-Agent sent to MusicBrainz; empty: SoundTime/<version> ( <this instance's URL> )"},
      {"coverart_base_url", SettingType::text, "https://coverartarchive.org", 0, 0, "Cover Art Archive"},
      {"wikipedia_base_url", SettingType::text, "https://{lang}.wikipedia.org", 0, 0,
       "Wikipedia, for artist biographies ({lang} is the article's language)"},
      {"wikidata_base_url", SettingType::text, "https://www.wikidata.org", 0, 0, "Wikidata"},
      {"metadata_auto_enrich", SettingType::boolean, "false", 0, 0,
       "Look new tracks (uploaded, scanned or from peers) up on MusicBrainz in the background"},
      {"ai_api_key", SettingType::secret, "", 0, 0, "API key for editorial playlists"},
      {"ai_base_url", SettingType::text, "https://api.openai.com/v1", 0, 0,
       "Base URL of the OpenAI-compatible AI service (/chat/completions is appended)"},
      {"ai_model", SettingType::text, "gpt-4o-mini", 0, 0, "Model used by the AI service"},
      {"ai_max_tracks", SettingType::integer, "500", 5, 5000, "Tracks offered to the AI service per generation"},
      {"instance_language", SettingType::text, "English", 0, 0, "Language of editorial playlist names and descriptions"},
      {"editorial_last_generated", SettingType::text, "", 0, 0, "When the editorial playlists were last generated"},
  };
  return all;
}

const SettingSpec* find_setting(std::string_view key) {
  for (const auto& s : setting_catalogue())
    if (s.key == key) return &s;
  return nullptr;
}

SettingCheck validate_setting(const SettingSpec& spec, std::string_view value) {
  SettingCheck r;
  switch (spec.type) {
    case SettingType::boolean: {
      auto b = util::parse_bool(value);
      if (!b) {
        r.error = fmt::format("Setting '{}' must be true or false", spec.key);
        return r;
      }
      r.value = *b ? "true" : "false";
      return r;
    }
    case SettingType::integer: {
      auto n = util::parse_int(util::trim(value));
      if (!n || *n < spec.min || *n > spec.max) {
        r.error = fmt::format("Setting '{}' must be a whole number from {} to {}", spec.key, spec.min, spec.max);
        return r;
      }
      r.value = std::to_string(*n);
      return r;
    }
    case SettingType::text:
    case SettingType::secret:
      if (value.size() > 100'000) {
        r.error = fmt::format("Setting '{}' is too long (100000 bytes at most)", spec.key);
        return r;
      }
      if ((spec.key == "musicbrainz_base_url" || spec.key == "coverart_base_url" ||
           spec.key == "wikipedia_base_url" || spec.key == "wikidata_base_url" || spec.key == "ai_base_url") &&
          !value.empty() && !util::starts_with(value, "http://") && !util::starts_with(value, "https://")) {
        r.error = fmt::format("Setting '{}' must be an http:// or https:// URL", spec.key);
        return r;
      }
      if (spec.key == "musicbrainz_user_agent" && value.find_first_of("\r\n") != std::string_view::npos) {
        r.error = "Setting 'musicbrainz_user_agent' must be one line";
        return r;
      }
      if (spec.key == "share_links" && value != "auto" && value != "on" && value != "off") {
        r.error = "Setting 'share_links' must be 'auto', 'on' or 'off'";
        return r;
      }
      if (spec.key == "p2p_sharing_mode" && value != "open" && value != "friends") {
        r.error = "Setting 'p2p_sharing_mode' must be 'open' or 'friends'";
        return r;
      }
      r.value = std::string(value);
      return r;
  }
  return r;
}

std::string mask_secret(std::string_view value) { return value.empty() ? "" : "********"; }

}  // namespace st::model
