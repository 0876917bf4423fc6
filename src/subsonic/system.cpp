// System: ping, getLicense, getOpenSubsonicExtensions (no authentication), tokenInfo.
#include "subsonic/sections.hpp"

namespace st::subsonic {

void add_system_methods(MethodTable& t) {
  t.push_back({"ping", {[](Call&) -> Reply { return Node{}; }}});
  t.push_back({"getLicense", {[](Call& c) -> Reply {
                 Node body;
                 body.object("license").set("valid", true).set("email", c.user.email);
                 return body;
               }}});
  t.push_back({"getOpenSubsonicExtensions",
               {[](Call&) -> Reply {
                  Node body;
                  auto& list = body.list("openSubsonicExtensions");
                  for (const char* name : {"apiKeyAuthentication", "formPost", "transcodeOffset", "songLyrics",
                                           "indexBasedQueue", "playbackReport", "topSongsByArtistId", "transcoding"}) {
                    Node e;
                    e.set("name", name);
                    e.scalars("versions").push_back(std::int64_t{1});
                    list.push_back(std::move(e));
                  }
                  return body;
                },
                false}});
  t.push_back({"tokenInfo", {[](Call& c) -> Reply {
                 if (!c.params.has("apiKey")) fail(Code::mechanism_not_supported, "tokenInfo needs an apiKey");
                 Node body;
                 body.object("tokenInfo").set("username", c.user.username);
                 return body;
               }}});
}

}  // namespace st::subsonic
