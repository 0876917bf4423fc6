#pragma once
// Last.fm's scrobbling rules (ListenBrainz follows them too) and the retry schedule of deliveries.
#include <chrono>

namespace st::scrobble {

// A listen counts when the track is longer than 30 seconds and was played for at least half its length
// or for 4 minutes, whichever comes first.
bool counts_as_listen(double track_secs, double listened_secs);

// Delay before attempt `attempts + 1` after `attempts` failures: base doubled each time, at most `cap`.
std::chrono::seconds retry_delay(int attempts, std::chrono::seconds base, std::chrono::seconds cap);

}  // namespace st::scrobble
