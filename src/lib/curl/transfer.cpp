#include "lib/curl/transfer.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <strings.h>
#include <exception>

#include "lib/curl/easy.hpp"

namespace st::lib::curl {

const std::string* TransferReply::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return &value;
  return nullptr;
}

namespace {

struct State {
  CURL* easy = nullptr;
  const Transfer* t = nullptr;
  TransferReply* reply = nullptr;
  std::string_view body_left;  // what remains of Transfer::body
  std::exception_ptr error;    // thrown by the reader or the sink
  bool overflow = false;
  bool stopped = false;
  int streaming = -1;  // unknown until the first piece of the body: 1 to the sink, 0 collected
};

std::size_t on_read(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<State*>(user);
  std::size_t room = size * n;
  if (!s->t->reader) {
    std::size_t len = std::min(room, s->body_left.size());
    std::memcpy(buf, s->body_left.data(), len);
    s->body_left.remove_prefix(len);
    return len;
  }
  try {
    return s->t->reader(buf, room);
  } catch (...) {
    s->error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<State*>(user);
  std::size_t len = size * n;
  if (s->streaming < 0) {
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    s->streaming = (s->t->sink && status >= 200 && status < 300) ? 1 : 0;
  }
  if (s->streaming == 1) {
    try {
      if (!s->t->sink(std::string_view(data, len))) {
        s->stopped = true;
        return 0;
      }
    } catch (...) {
      s->error = std::current_exception();
      return 0;
    }
    return len;
  }
  if (s->reply->body.size() + len > s->t->max_body) {
    s->overflow = true;
    return 0;
  }
  s->reply->body.append(data, len);
  return len;
}

std::string trim(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return std::string(v);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<State*>(user);
  std::size_t len = size * n;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    s->reply->headers.clear();  // a new answer (after 100 Continue): only the final one's headers count
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name = trim(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s->reply->headers.size() < 100) s->reply->headers.emplace_back(std::move(name), trim(line.substr(colon + 1)));
  return len;
}

// A body given whole can be sent again (libcurl does when a kept-alive connection turns out closed).
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* s = static_cast<State*>(user);
  if (s->t->reader || origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > s->t->body.size())
    return CURL_SEEKFUNC_CANTSEEK;
  s->body_left = s->t->body.substr(static_cast<std::size_t>(offset));
  return CURL_SEEKFUNC_OK;
}

// One handle per thread, reset between transfers: its connection cache keeps connections (to the object
// store, mostly) open, so a ranged read is one request instead of a TCP (and TLS) handshake and a request.
// A transfer started from another's callbacks on the same thread gets a fresh handle, and so does one whose
// body comes from a reader: it could not be sent again on a fresh connection if the kept one was closed.
struct ThreadHandle {
  detail::Easy easy;
  bool busy = false;
};

}  // namespace

TransferReply transfer(const Transfer& t) {
  thread_local ThreadHandle mine;
  detail::Easy fresh;
  CURL* e = nullptr;
  bool reuse = !mine.busy && !t.reader;
  if (reuse) {
    if (mine.easy) curl_easy_reset(mine.easy.get());
    else mine.easy = detail::new_easy();
    e = mine.easy.get();
    mine.busy = true;
  } else {
    fresh = detail::new_easy();
    e = fresh.get();
  }
  struct Release {
    ThreadHandle* h;
    ~Release() {
      if (h) h->busy = false;
    }
  } release{reuse ? &mine : nullptr};
  TransferReply reply;
  State state{e, &t, &reply, t.body};
  curl_easy_setopt(e, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, t.connect_timeout_seconds);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, t.timeout_seconds);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, t.stall_seconds);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &state);
  bool has_body = t.reader || !t.body.empty();
  if (t.head) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, &on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, &state);
    curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &on_seek);
    curl_easy_setopt(e, CURLOPT_SEEKDATA, &state);
    std::optional<std::uint64_t> size = t.reader ? t.body_size : std::optional<std::uint64_t>(t.body.size());
    if (size) curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*size));
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
  } else if (t.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
  } else if (t.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
  }
  // No "Expect: 100-continue" round trip before a body; no Content-Type curl would invent for a POST.
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  bool typed = std::any_of(t.headers.begin(), t.headers.end(), [](const auto& h) {
    return h.first.size() == 12 && strncasecmp(h.first.c_str(), "content-type", 12) == 0;
  });
  if (t.method == "POST" && !typed && list) list = curl_slist_append(list, "Content-Type:");
  detail::Slist headers(detail::append_headers(list, t.headers));
  if (headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  CURLcode rc = curl_easy_perform(e);
  if (state.error) std::rethrow_exception(state.error);
  if (state.stopped) throw Stopped("the transfer was stopped by its reader");
  if (state.overflow) throw TransportError("the answer is too large");
  if (rc != CURLE_OK) throw TransportError(curl_easy_strerror(rc));
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace st::lib::curl
