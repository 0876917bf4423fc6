#pragma once
// The services outside this process that the server calls, configured from the settings (read at each
// call, so an administrator's change applies at once) and the environment (base URLs, for tests): online
// lyrics providers, MusicBrainz with the Cover Art Archive and Wikipedia, and the AI chat API of the
// editorial playlists.
#include <memory>

#include "app/config.hpp"
#include "app/services.hpp"
#include "editorial/generator.hpp"
#include "library/lyrics_cache.hpp"
#include "library/lyrics_provider.hpp"
#include "library/musicbrainz.hpp"

namespace st::app {

// Answers (misses too) are remembered in cache: a day when found, an hour when the provider has none.
library::OnlineLyrics online_lyrics(const Config& c, Services& s, library::LyricsCache& cache);
std::unique_ptr<library::MusicBrainzClient> make_musicbrainz(const Config& c, Services& s);
// The API key never leaves this process but in the Authorization header.
std::unique_ptr<editorial::Generator> make_editorial(const Config& c, Services& s);

}  // namespace st::app
