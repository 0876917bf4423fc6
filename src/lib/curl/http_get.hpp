#pragma once
// Outgoing HTTP(S) GET (and a small PUT) with libcurl (lyrics providers, MusicBrainz, Cover Art Archive, Wikipedia): a bounded body, a timeout, no redirects to
// other schemes. curl.h stays out of callers.
#include <cstddef>
#include <stdexcept>
#include <string>

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
// PUT of a small body (pkarr relays); the answer is bounded like get's. Throws TransportError likewise.
Reply put(const std::string& url, const std::string& body, const std::string& content_type, long timeout_seconds = 10,
          std::size_t max_body = 64 * 1024, const std::string& user_agent = "SoundTime");

}  // namespace st::lib::curl
