#pragma once
// Who is listening to what right now (getNowPlaying): fed by scrobble(submission=false), by
// reportPlayback and, for clients that never sent either, by streams that start (a client that reports
// may preload the next song with stream); entries expire after the track's length.
#include <chrono>
#include <mutex>
#include <set>
#include <utility>
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
  // The client (user + client name) sent scrobble or reportPlayback: its streams are not plays.
  void reported(const std::string& user_id, const std::string& player);
  bool reports(const std::string& user_id, const std::string& player);

 private:
  std::mutex mu_;
  std::vector<NowPlayingEntry> entries_;
  std::set<std::pair<std::string, std::string>> reporters_;  // bounded (kMaxReporters)
};

}  // namespace st::subsonic
