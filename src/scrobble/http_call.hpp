#pragma once
// An outgoing HTTP request as the scrobblers see it (implemented with libcurl and injected by app/), so
// that tests use a local stand-in for Last.fm and ListenBrainz.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace st::scrobble {

struct HttpCall {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpAnswer {
  long status = 0;
  std::string body;
};

// Throws (any std::exception) when no HTTP answer arrives: the service counts as down.
using HttpFn = std::function<HttpAnswer(const HttpCall&)>;

// Largest answer read from either service: their answers are a few hundred bytes.
inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

}  // namespace st::scrobble
