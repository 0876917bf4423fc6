#include "http/response.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace st::http {

Response::Response(Response&& o) noexcept : status(o.status), headers(std::move(o.headers)), body(std::move(o.body)) {
  if (auto* f = std::get_if<FileBody>(&o.body)) f->fd = -1;
}

Response& Response::operator=(Response&& o) noexcept {
  if (this != &o) {
    if (auto* f = std::get_if<FileBody>(&body); f && f->fd >= 0) ::close(f->fd);
    status = o.status;
    headers = std::move(o.headers);
    body = std::move(o.body);
    if (auto* f = std::get_if<FileBody>(&o.body)) f->fd = -1;
  }
  return *this;
}

Response::~Response() {
  if (auto* f = std::get_if<FileBody>(&body); f && f->fd >= 0) ::close(f->fd);
}

Response Response::json(int status, std::string body) {
  Response r(status);
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r(status);
  r.headers.set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view message) {
  return json(status, fmt::format(R"({{"error":"{}"}})", json_escape(message)));
}

std::optional<std::uint64_t> Response::content_length() const {
  if (auto* s = std::get_if<std::string>(&body)) return s->size();
  if (auto* f = std::get_if<FileBody>(&body)) return f->length;
  if (auto* p = std::get_if<std::shared_ptr<PullSource>>(&body)) return (*p) ? (*p)->size() : std::optional<std::uint64_t>(0);
  return std::nullopt;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace st::http
