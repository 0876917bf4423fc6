// What SoundTime does not do (yet): podcasts, jukebox, chat, video and HLS. Each answers with a clear
// error instead of "unknown method", so apps can hide the feature.
#include "subsonic/sections.hpp"

namespace st::subsonic {

void add_unsupported_methods(MethodTable& t) {
  auto nope = [](const char* what) {
    return Method{[what](Call&) -> Reply { fail(Code::generic, std::string(what) + " are not supported by this server"); }};
  };
  for (const char* m : {"getPodcasts", "getNewestPodcasts", "getPodcastEpisode", "refreshPodcasts",
                        "createPodcastChannel", "deletePodcastChannel", "deletePodcastEpisode",
                        "downloadPodcastEpisode"})
    t.push_back({m, nope("Podcasts")});
  t.push_back({"jukeboxControl", nope("Jukebox controls")});
  t.push_back({"getChatMessages", nope("Chat messages")});
  t.push_back({"addChatMessage", nope("Chat messages")});
  for (const char* m : {"getVideos", "getVideoInfo", "getCaptions"}) t.push_back({m, nope("Videos")});
  t.push_back({"hls", nope("HLS streams (use stream, which seeks with timeOffset)")});
  t.push_back({"hls.m3u8", nope("HLS streams (use stream, which seeks with timeOffset)")});
}

}  // namespace st::subsonic
