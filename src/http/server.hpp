#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio coroutines, hidden behind this header.
// Network threads only parse and write; handlers (which may touch the database or hash passwords)
// run on a bounded worker pool, so a slow handler never stalls other connections.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/router.hpp"

namespace st::http {

struct CorsOptions {
  std::vector<std::string> allowed_origins;  // exact origins, e.g. https://music.example.org
  // Paths open to every origin: APIs whose credentials travel in the request itself, never in cookies
  // (the Subsonic API, which browser-based Subsonic apps call from their own origin).
  std::vector<std::string> open_path_prefixes;
};

struct AccessLogEntry {
  std::string_view request_id;
  std::string_view remote_ip;
  std::string_view method;
  std::string_view path;  // without the query string, which may hold credentials
  int status;
  std::uint64_t bytes;
  double millis;
};

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;
  unsigned network_threads = 2;
  unsigned worker_threads = 8;
  std::size_t max_body_bytes = 2 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds header_timeout{30};     // reading a new connection's first request headers
  std::chrono::seconds body_idle_timeout{30};  // a request body that makes no progress this long is cut
  std::chrono::seconds idle_timeout{75};      // keep-alive wait for the next request
  std::chrono::seconds write_timeout{60};     // without progress while sending a response
  std::chrono::seconds shutdown_grace{10};    // in-flight requests get this long after SIGTERM
  std::size_t max_connections = 10000;
  // Per client address (the socket peer; trusted proxies are exempt, as their clients are many):
  // connections at once, and bytes of request bodies held in memory at once. Those bodies are read
  // before any handler has authenticated the request, so strangers must not be able to pile them up.
  std::size_t max_connections_per_ip = 256;
  std::uint64_t max_body_bytes_per_ip = 32 * 1024 * 1024;
  std::vector<std::string> trusted_proxies;  // their X-Forwarded-For names the client (body budget)
  CorsOptions cors;
  bool hsts = true;
  // Requests for which this says true are handled on the network thread, without the hop to the
  // worker pool: only for handlers that never block (no database, no disk, no hashing).
  std::function<bool(const Request&)> runs_inline;
  // Tried on the network thread before the hop to the worker pool (Router::try_fast): answers what it can
  // without blocking, nothing otherwise. An exception counts as no answer (the worker then does it properly).
  std::function<std::optional<Response>(Request&)> fast_path;
  // Requests for which this returns a limit get their body written to a file in temp_dir
  // (Request::body_file) instead of memory, up to that many bytes (uploads).
  std::function<std::optional<std::uint64_t>(Method, std::string_view path)> file_body_limit;
  // For those requests (large bodies): checked from the headers alone, on the worker pool, before a
  // byte of the body is read or `100 Continue` is sent. An answer (401, 403) refuses the request: it is
  // sent and the connection closed, without storing the body.
  std::function<std::optional<Response>(const Request&)> authorize_body;
  std::string temp_dir = "/tmp";
  std::function<void(const AccessLogEntry&)> access_log;
  std::function<void(std::string_view)> error_log;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; throws with a clear message when the address is unusable.
  void listen();
  std::uint16_t bound_port() const;
  // Serves until stop() or SIGTERM/SIGINT, then drains in-flight requests. Blocks.
  void run();
  // Thread-safe; may be called from a signal-free context (tests).
  void stop();
  // Has each network and worker thread run `f` once (a quiet server: each gives its heap cache back,
  // util::release_thread_heap_cache), and returns when they all have, or after `wait` (a thread busy with a
  // long request takes its turn later). A thread that ran `f` waits until every thread of its pool has (or
  // for `wait`), so that no thread takes two turns while another takes none.
  void on_each_thread(std::function<void()> f, std::chrono::milliseconds wait);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Adds the security headers and CORS headers of every response (§2 of the behaviour reference).
void apply_standard_headers(const Request& req, Response& res, const ServerOptions& opts);
// The response to a CORS preflight (OPTIONS with Access-Control-Request-Method).
Response preflight_response(const Request& req, const ServerOptions& opts);

}  // namespace st::http
