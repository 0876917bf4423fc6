#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/headers.hpp"

namespace st::http {

// A byte range of an open file, sent zero-copy (sendfile). The response owns the descriptor.
struct FileBody {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// A body sent as the concatenation of its pieces, never joined into one string: a large answer rendered once
// (getArtists' index of every artist) is shared by every response that carries it, each adding its own small
// pieces around it. The pieces are written with one gathering write, after the header.
struct SharedPieces {
  std::vector<std::shared_ptr<const std::string>> parts;
  std::uint64_t size() const;
  std::string joined() const;  // the whole body as one string (tests, internal callers)
};

// A body produced while it is sent (a transcoder, a remote fetch). read() may block: the server calls
// it on the worker pool, never on a network thread.
class PullSource {
 public:
  virtual ~PullSource() = default;
  // Fills up to n bytes; returns 0 at the end. Throws on failure (the connection is then closed).
  virtual std::size_t read(char* buf, std::size_t n) = 0;
  // Total length when known in advance (sent as Content-Length; otherwise chunked).
  virtual std::optional<std::uint64_t> size() const { return std::nullopt; }
  // A body written to a file as it is produced (a peer download, verified as it arrives) can be sent from
  // that file with sendfile instead of read(): the descriptor (owned by the source) and how many bytes from
  // `pos` on are in it. With `wait` it blocks until there is at least one (0 then means the end); without,
  // it never blocks (0: none yet). Throws on failure. nullopt: not such a source.
  struct FileWindow {
    int fd = -1;
    std::uint64_t length = 0;
  };
  virtual std::optional<FileWindow> file_window(std::uint64_t /*pos*/, bool /*wait*/) { return std::nullopt; }
};

// A PullSource over any object with read(char*, size_t), and size() when it knows its length (a
// transcode, a verified peer download).
template <typename T>
class PullOf final : public PullSource {
 public:
  explicit PullOf(std::unique_ptr<T> s) : s_(std::move(s)) {}
  std::size_t read(char* buf, std::size_t n) override { return s_->read(buf, n); }
  std::optional<std::uint64_t> size() const override {
    if constexpr (requires(const T& t) { t.size(); }) return s_->size();
    else return std::nullopt;
  }
  std::optional<FileWindow> file_window(std::uint64_t pos, bool wait) override {
    if constexpr (requires(T& t) { t.file_window(pos, wait).fd; }) {
      auto w = s_->file_window(pos, wait);
      return FileWindow{w.fd, w.length};
    } else {
      return std::nullopt;
    }
  }

 private:
  std::unique_ptr<T> s_;
};

template <typename T>
std::shared_ptr<PullSource> pull_body(std::unique_ptr<T> s) {
  return std::make_shared<PullOf<T>>(std::move(s));
}

class Response {
 public:
  Response() = default;
  explicit Response(int status) : status(status) {}
  Response(Response&&) noexcept;
  Response& operator=(Response&&) noexcept;
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;
  ~Response();

  int status = 200;
  Headers headers;
  std::variant<std::string, FileBody, std::shared_ptr<PullSource>, SharedPieces> body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response empty(int status) { return Response(status); }
  // {"error": message}
  static Response error(int status, std::string_view message);

  // The body length when known before sending.
  std::optional<std::uint64_t> content_length() const;
};

// message escaped for a JSON string literal (without quotes).
std::string json_escape(std::string_view s);
// The same, appended to out.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace st::http
