#pragma once
// Outgoing HTTP(S) GET, PUT and POST with libcurl (lyrics providers, MusicBrainz, Cover Art Archive, Wikipedia, pkarr relays,
// scrobblers, chat completions): a bounded body, a timeout, no redirects to other schemes. curl.h stays out of callers.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace st::lib::curl {

struct Reply {
  long status = 0;
  std::string body;
  std::string content_type;  // as sent, possibly empty
};

class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws TransportError when no HTTP answer arrives (DNS, connection, TLS, timeout, body too large).
// Web services that ask for it (MusicBrainz) get a User-Agent naming the application and a contact.
Reply get(const std::string& url, long timeout_seconds = 10, std::size_t max_body = 4 * 1024 * 1024,
          const std::string& user_agent = "SoundTime");
// GET with extra request headers ("Authorization: Token ..." for ListenBrainz); otherwise as get().
Reply get_with_headers(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                       long timeout_seconds = 10, std::size_t max_body = 1024 * 1024,
                       const std::string& user_agent = "SoundTime");
// PUT of a small body (pkarr relays); the answer is bounded like get's. Throws TransportError likewise.
Reply put(const std::string& url, const std::string& body, const std::string& content_type, long timeout_seconds = 10,
          std::size_t max_body = 64 * 1024, const std::string& user_agent = "SoundTime");

// POST of a body (scrobblers, chat completions) with extra request headers ("Authorization", ...); the
// Content-Type is given apart. Redirects are not followed: a POST answered 3xx is returned as is.
Reply post(const std::string& url, const std::string& body, const std::string& content_type,
           const std::vector<std::pair<std::string, std::string>>& headers = {}, long timeout_seconds = 10,
           std::size_t max_body = 1024 * 1024, const std::string& user_agent = "SoundTime");

// DELETE with extra request headers (a directory's delisting); answered like post. Throws TransportError.
Reply del(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers = {},
          long timeout_seconds = 10, std::size_t max_body = 64 * 1024, const std::string& user_agent = "SoundTime");

}  // namespace st::lib::curl
