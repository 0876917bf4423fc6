#include "scrobble/rules.hpp"

#include <algorithm>

namespace st::scrobble {

bool counts_as_listen(double track_secs, double listened_secs) {
  if (!(track_secs > 30.0) || !(listened_secs >= 0)) return false;
  return listened_secs >= std::min(track_secs / 2.0, 240.0);
}

std::chrono::seconds retry_delay(int attempts, std::chrono::seconds base, std::chrono::seconds cap) {
  if (base.count() <= 0) base = std::chrono::seconds(1);
  auto delay = base;
  for (int i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace st::scrobble
