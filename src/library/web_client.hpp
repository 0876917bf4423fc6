#pragma once
// An outgoing HTTP GET as the library layer sees it (implemented with libcurl in src/lib/curl and
// injected by app/), so that metadata services can be tested against a local stand-in.
#include <cstddef>
#include <functional>
#include <string>

namespace st::library {

struct WebRequest {
  std::string url;
  std::string user_agent = "SoundTime";
  long timeout_seconds = 15;
  std::size_t max_body = 4 * 1024 * 1024;
};

struct WebReply {
  long status = 0;
  std::string body;
  std::string content_type;
};

// Throws std::runtime_error when no HTTP answer arrives (network, timeout, body too large).
using WebGet = std::function<WebReply(const WebRequest&)>;

}  // namespace st::library
