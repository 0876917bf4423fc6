#pragma once
// Who is listening to what right now (getNowPlaying): fed by scrobble(submission=false), by
// reportPlayback and by streams that start; entries expire after the track's length.
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace st::subsonic {

struct NowPlayingEntry {
  std::string user_id;
  std::string username;
  std::string track_id;
  std::string player;  // the client name (c)
  std::chrono::steady_clock::time_point since;
  std::chrono::steady_clock::time_point until;
};

class NowPlaying {
 public:
  void playing(NowPlayingEntry e);
  // The user stopped (playbackReport state=stopped).
  void stopped(const std::string& user_id, const std::string& player);
  std::vector<NowPlayingEntry> current();

 private:
  std::mutex mu_;
  std::vector<NowPlayingEntry> entries_;
};

}  // namespace st::subsonic
