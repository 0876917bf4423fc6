#include "lib/curl/http_get.hpp"

#include <curl/curl.h>

#include "lib/curl/easy.hpp"

namespace st::lib::curl {

namespace {

struct Sink {
  std::string* body;
  std::size_t max;
  bool overflow = false;
};

std::size_t write(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t len = size * n;
  if (sink->body->size() + len > sink->max) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, len);
  return len;
}


// One request: `setup` adds what differs between methods.
template <typename Setup>
Reply perform(const std::string& url, long timeout_seconds, std::size_t max_body, const std::string& user_agent,
              Setup setup) {
  auto c = detail::new_easy();
  Reply reply;
  Sink sink{&reply.body, max_body};
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c.get(), CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(c.get(), CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &write);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &sink);
  detail::Slist headers(setup(c.get()));
  if (headers) curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  CURLcode rc = curl_easy_perform(c.get());
  if (sink.overflow) throw TransportError("the answer is too large");
  if (rc != CURLE_OK) throw TransportError(curl_easy_strerror(rc));
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  const char* type = nullptr;
  if (curl_easy_getinfo(c.get(), CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) reply.content_type = type;
  return reply;
}

}  // namespace

Reply get(const std::string& url, long timeout_seconds, std::size_t max_body, const std::string& user_agent) {
  return perform(url, timeout_seconds, max_body, user_agent, [](CURL*) -> curl_slist* { return nullptr; });
}

Reply put(const std::string& url, const std::string& body, const std::string& content_type, long timeout_seconds,
          std::size_t max_body, const std::string& user_agent) {
  return perform(url, timeout_seconds, max_body, user_agent, [&](CURL* c) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    return curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  });
}

Reply get_with_headers(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                       long timeout_seconds, std::size_t max_body, const std::string& user_agent) {
  return perform(url, timeout_seconds, max_body, user_agent,
                 [&](CURL*) -> curl_slist* { return detail::append_headers(nullptr, headers); });
}

Reply post(const std::string& url, const std::string& body, const std::string& content_type,
           const std::vector<std::pair<std::string, std::string>>& headers, long timeout_seconds, std::size_t max_body,
           const std::string& user_agent) {
  return perform(url, timeout_seconds, max_body, user_agent, [&](CURL* c) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    return detail::append_headers(curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str()), headers);
  });
}

Reply del(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers, long timeout_seconds,
          std::size_t max_body, const std::string& user_agent) {
  return perform(url, timeout_seconds, max_body, user_agent, [&](CURL* c) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
    return detail::append_headers(nullptr, headers);
  });
}

}  // namespace st::lib::curl
