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
  if (auto* p = std::get_if<SharedPieces>(&body)) return p->size();
  return std::nullopt;
}

std::uint64_t SharedPieces::size() const {
  std::uint64_t n = 0;
  for (const auto& p : parts) n += p ? p->size() : 0;
  return n;
}

std::string SharedPieces::joined() const {
  std::string out;
  out.reserve(size());
  for (const auto& p : parts)
    if (p) out += *p;
  return out;
}

void append_json_escaped(std::string& out, std::string_view s) {
  std::size_t plain = 0;  // a run of characters that need no escape, appended at once
  auto flush = [&](std::size_t i) {
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    flush(i);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
  }
  out.append(s.data() + plain, s.size() - plain);
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  append_json_escaped(out, s);
  return out;
}

}  // namespace st::http
