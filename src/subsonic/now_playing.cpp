#include "subsonic/now_playing.hpp"

#include <algorithm>

namespace st::subsonic {

void NowPlaying::playing(NowPlayingEntry e) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  std::erase_if(entries_, [&](const NowPlayingEntry& x) {
    return x.until < now || (x.user_id == e.user_id && x.player == e.player);
  });
  if (entries_.size() >= 1000) entries_.erase(entries_.begin());
  entries_.push_back(std::move(e));
}

void NowPlaying::stopped(const std::string& user_id, const std::string& player) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const NowPlayingEntry& x) { return x.user_id == user_id && x.player == player; });
}

std::vector<NowPlayingEntry> NowPlaying::current() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  std::erase_if(entries_, [&](const NowPlayingEntry& x) { return x.until < now; });
  return entries_;
}

void NowPlaying::reported(const std::string& user_id, const std::string& player) {
  constexpr std::size_t kMaxReporters = 10'000;  // in memory only: a forgotten client counts streams again
  std::lock_guard lock(mu_);
  if (reporters_.size() >= kMaxReporters && !reporters_.count({user_id, player})) reporters_.erase(reporters_.begin());
  reporters_.emplace(user_id, player);
}

bool NowPlaying::reports(const std::string& user_id, const std::string& player) {
  std::lock_guard lock(mu_);
  return reporters_.count({user_id, player}) > 0;
}

}  // namespace st::subsonic
