#include "http/server.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <condition_variable>
#include <limits>
#include <unistd.h>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "http/pieces_body.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

struct Conn {
  explicit Conn(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  net::steady_timer timer;
  Clock::time_point deadline = Clock::now();
  bool idle = false;
  bool close_after = false;
  std::string counted_ip;  // the address this connection counts against (empty: exempt)

  void arm(std::chrono::seconds s) {
    auto d = Clock::now() + s;
    bool sooner = d < deadline;
    deadline = d;
    if (sooner) timer.cancel();  // the watchdog sleeps until the old deadline: wake it to wait for this one
  }
  void close() {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    timer.cancel();
  }
};

bool is_quiet_error(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
         ec == net::error::connection_reset || ec == net::error::bad_descriptor || ec == net::error::broken_pipe ||
         ec == net::error::timed_out;
}

std::string request_id_for(const Request& req) {
  // Accept a caller's id (from a proxy) when it is short and plain; else make one.
  if (auto h = req.headers.get("X-Request-Id"); h && !h->empty() && h->size() <= 64) {
    bool plain = true;
    for (char c : *h)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) plain = false;
    if (plain) return std::string(*h);
  }
  // A per-thread generator seeded from the kernel: ids must be unique, not secret, and a syscall per
  // request is measurable at tens of thousands of requests per second.
  thread_local std::uint64_t state = [] {
    std::uint64_t seed = 0;
    util::random_bytes(&seed, sizeof seed);
    return seed;
  }();
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return fmt::format("{:016x}", z);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler h)
      : opts(std::move(o)),
        handler(std::move(h)),
        ioc(static_cast<int>(std::max(1u, opts.network_threads))),
        acceptor(ioc),
        workers(std::max(1u, opts.worker_threads)),
        signals(ioc, SIGINT, SIGTERM),
        grace(ioc) {}

  ServerOptions opts;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::thread_pool workers;
  net::signal_set signals;
  net::steady_timer grace;
  std::mutex mu;
  std::set<std::shared_ptr<Conn>> conns;
  std::unordered_map<std::string, std::size_t> conns_per_ip;          // under mu
  std::unordered_map<std::string, std::uint64_t> body_bytes_per_ip;   // under mu
  std::atomic<bool> stopping{false};

  void log_error(std::string_view m) const {
    if (opts.error_log) opts.error_log(m);
  }

  Response handle(Request& req) noexcept {
    try {
      if (req.method == Method::options && req.headers.has("Access-Control-Request-Method"))
        return preflight_response(req, opts);
      return handler(req);
    } catch (const std::exception& e) {
      log_error(fmt::format("request {} {} failed: {}", to_string(req.method), req.path, e.what()));
    } catch (...) {
      log_error(fmt::format("request {} {} failed", to_string(req.method), req.path));
    }
    return Response::error(500, "Internal server error");
  }

  std::optional<Response> try_fast(Request& req) noexcept {
    if (!opts.fast_path || req.method == Method::options) return std::nullopt;
    try {
      return opts.fast_path(req);
    } catch (...) {
      return std::nullopt;
    }
  }

  net::awaitable<void> watchdog(std::shared_ptr<Conn> c) {
    while (c->socket.is_open()) {
      c->timer.expires_at(c->deadline);
      co_await c->timer.async_wait(use_tuple);
      if (!c->socket.is_open()) co_return;
      if (c->deadline <= Clock::now()) {
        c->close();
        co_return;
      }
    }
  }

  // Writes a small error and ends the connection (the request could not be read).
  net::awaitable<void> write_and_close(std::shared_ptr<Conn> c, int status, std::string_view message) {
    co_await write_and_close(std::move(c), Response::error(status, message), 64 * 1024 * 1024);
  }

  // Writes a refusal and ends the connection. Lingering close: a client still sending its (refused) body
  // would get a reset instead of our answer if we closed now, so stop sending and drain (discard) its
  // input, up to drain_limit bytes and a few seconds.
  net::awaitable<void> write_and_close(std::shared_ptr<Conn> c, Response r, std::size_t drain_limit) {
    Request dummy;
    apply_standard_headers(dummy, r, opts);
    bhttp::response<bhttp::string_body> msg;
    msg.result(static_cast<unsigned>(r.status));
    for (const auto& [k, v] : r.headers.all()) msg.insert(k, v);
    msg.keep_alive(false);
    if (auto* text = std::get_if<std::string>(&r.body)) msg.body() = std::move(*text);
    else if (auto* pieces = std::get_if<SharedPieces>(&r.body)) msg.body() = pieces->joined();
    msg.prepare_payload();
    c->arm(std::chrono::seconds(5));
    auto [ec, n] = co_await bhttp::async_write(c->socket, msg, use_tuple);
    if (ec) co_return;
    boost::system::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::vector<char> sink(64 * 1024);
    std::size_t drained = 0;
    while (drained < drain_limit && c->socket.is_open()) {
      auto [rec, got] = co_await c->socket.async_read_some(net::buffer(sink), use_tuple);
      if (rec) break;
      drained += got;
    }
  }

  net::awaitable<bool> send_file(Conn& c, const FileBody& f) {
    c.socket.native_non_blocking(true);
    off_t offset = static_cast<off_t>(f.offset);
    std::uint64_t remaining = f.length;
    while (remaining > 0) {
      c.arm(opts.write_timeout);
      ssize_t n = ::sendfile(c.socket.native_handle(), f.fd, &offset,
                             static_cast<std::size_t>(std::min<std::uint64_t>(remaining, 1 << 20)));
      if (n > 0) {
        remaining -= static_cast<std::uint64_t>(n);
      } else if (n == 0) {
        co_return false;  // the file shrank under us: the promised length cannot be kept
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        auto [ec] = co_await c.socket.async_wait(tcp::socket::wait_write, use_tuple);
        if (ec) co_return false;
      } else if (errno != EINTR) {
        co_return false;
      }
    }
    co_return true;
  }

  // A body of known length growing in a file: each time, whatever is in the file is sent with sendfile
  // (no copy through user space), from the network thread; only when nothing new is there yet does a
  // worker wait for it (one hand-off per arrival instead of one per 64 KiB read).
  net::awaitable<bool> send_growing_file(Conn& c, PullSource& src, std::uint64_t total) {
    std::uint64_t sent = 0;
    while (sent < total) {
      PullSource::FileWindow w;
      try {
        w = src.file_window(sent, false).value_or(PullSource::FileWindow{});
        if (w.length == 0) {
          w = co_await net::co_spawn(
              workers,
              [&]() -> net::awaitable<PullSource::FileWindow> {
                co_return src.file_window(sent, true).value_or(PullSource::FileWindow{});
              },
              net::use_awaitable);
        }
      } catch (const std::exception& e) {
        log_error(fmt::format("response body source failed: {}", e.what()));
        co_return false;
      }
      if (w.length == 0 || w.fd < 0) co_return false;  // ended before the declared length
      FileBody part{w.fd, sent, std::min(w.length, total - sent)};
      if (!co_await send_file(c, part)) co_return false;
      sent += part.length;
    }
    co_return true;
  }

  net::awaitable<bool> send_pull(Conn& c, PullSource& src, bool chunked, std::optional<std::uint64_t> declared) {
    if (!chunked && declared) {
      std::optional<PullSource::FileWindow> probe;
      try {
        probe = src.file_window(0, false);
      } catch (const std::exception& e) {
        log_error(fmt::format("response body source failed: {}", e.what()));
        co_return false;
      }
      if (probe) co_return co_await send_growing_file(c, src, *declared);
    }
    std::vector<char> chunk(64 * 1024);
    std::uint64_t sent = 0;
    for (;;) {
      std::size_t n = 0;
      try {
        n = co_await net::co_spawn(
            workers, [&]() -> net::awaitable<std::size_t> { co_return src.read(chunk.data(), chunk.size()); },
            net::use_awaitable);
      } catch (const std::exception& e) {
        log_error(fmt::format("response body source failed: {}", e.what()));
        co_return false;
      }
      c.arm(opts.write_timeout);
      if (chunked) {
        std::string head = fmt::format("{:x}\r\n", n);
        std::array<net::const_buffer, 3> bufs{net::buffer(head), net::buffer(chunk.data(), n),
                                              net::buffer("\r\n", 2)};
        if (n == 0) bufs = {net::buffer(head), net::const_buffer(), net::buffer("\r\n", 2)};
        auto [ec, w] = co_await net::async_write(c.socket, bufs, use_tuple);
        if (ec) co_return false;
        if (n == 0) co_return true;
      } else {
        if (n == 0) co_return !declared || sent == *declared;
        if (declared && sent + n > *declared) co_return false;
        auto [ec, w] = co_await net::async_write(c.socket, net::buffer(chunk.data(), n), use_tuple);
        if (ec) co_return false;
      }
      sent += n;
    }
  }

  // A body held in memory, written with its header in one go. Returns false when the connection must be closed.
  template <class Body>
  net::awaitable<bool> write_whole(Conn& c, const Response& res, typename Body::value_type body, bool bodiless,
                                   bool keep_alive, unsigned version) {
    bhttp::response<Body> msg;
    msg.version(version);
    msg.result(static_cast<unsigned>(res.status));
    for (const auto& [k, v] : res.headers.all()) msg.insert(k, v);
    msg.keep_alive(keep_alive);
    if (!bodiless) {
      msg.body() = std::move(body);
      msg.content_length(Body::size(msg.body()));
    }
    auto [ec, n] = co_await bhttp::async_write(c.socket, msg, use_tuple);
    co_return !ec && keep_alive;
  }

  // Returns false when the connection must be closed.
  net::awaitable<bool> write_response(Conn& c, const Request& req, Response& res, bool keep_alive,
                                      unsigned version) {
    bool head_only = req.method == Method::head;
    bool bodiless = res.status == 204 || res.status == 304 || res.status < 200;
    c.arm(opts.write_timeout);

    if (auto* s = std::get_if<std::string>(&res.body); s && !head_only)
      co_return co_await write_whole<bhttp::string_body>(c, res, std::move(*s), bodiless, keep_alive, version);
    if (auto* p = std::get_if<SharedPieces>(&res.body); p && !head_only)
      co_return co_await write_whole<PiecesBody>(c, res, std::move(*p), bodiless, keep_alive, version);

    bhttp::response<bhttp::empty_body> msg;
    msg.version(version);
    msg.result(static_cast<unsigned>(res.status));
    for (const auto& [k, v] : res.headers.all()) msg.insert(k, v);
    msg.keep_alive(keep_alive);
    auto length = res.content_length();
    bool chunked = false;
    if (!bodiless) {
      if (length) msg.content_length(*length);
      else if (version >= 11) chunked = true, msg.chunked(true);
      else keep_alive = false, msg.keep_alive(false);  // HTTP/1.0 without a length: end of body = close
    }
    bhttp::response_serializer<bhttp::empty_body> sr(msg);
    auto [ec, n] = co_await bhttp::async_write_header(c.socket, sr, use_tuple);
    if (ec) co_return false;
    if (head_only || bodiless) co_return keep_alive;

    bool ok = true;
    if (auto* f = std::get_if<FileBody>(&res.body)) {
      ok = co_await send_file(c, *f);
    } else if (auto* p = std::get_if<std::shared_ptr<PullSource>>(&res.body); p && *p) {
      ok = co_await send_pull(c, **p, chunked, length);
    }
    co_return ok && keep_alive;
  }

  // Bytes of in-memory request bodies a client address holds, released when its request is answered.
  struct BodyReservation {
    Impl* im = nullptr;
    std::string ip;
    std::uint64_t bytes = 0;
    BodyReservation() = default;
    BodyReservation(const BodyReservation&) = delete;
    BodyReservation& operator=(const BodyReservation&) = delete;
    ~BodyReservation() {
      if (!im || bytes == 0) return;
      std::lock_guard lock(im->mu);
      auto it = im->body_bytes_per_ip.find(ip);
      if (it == im->body_bytes_per_ip.end()) return;
      it->second -= std::min(it->second, bytes);
      if (it->second == 0) im->body_bytes_per_ip.erase(it);
    }
  };

  bool reserve_body(BodyReservation& r, const std::string& ip, std::uint64_t bytes) {
    if (bytes == 0) return true;
    std::lock_guard lock(mu);
    auto& used = body_bytes_per_ip[ip];
    if (used + bytes > opts.max_body_bytes_per_ip) {
      if (used == 0) body_bytes_per_ip.erase(ip);
      return false;
    }
    used += bytes;
    r.im = this;
    r.ip = ip;
    r.bytes = bytes;
    return true;
  }

  // Reads the rest of a request body: each read that makes progress re-arms the idle deadline, so a
  // slow upload that keeps moving is never cut and one that stalls is.
  template <class Parser>
  net::awaitable<boost::system::error_code> read_body(Conn& c, boost::beast::flat_buffer& buffer, Parser& p) {
    while (!p.is_done()) {
      c.arm(opts.body_idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_some(c.socket, buffer, p, use_tuple);
      if (ec) co_return ec;
    }
    co_return boost::system::error_code{};
  }

  std::optional<Response> authorize(const Request& req) noexcept {
    try {
      return opts.authorize_body(req);
    } catch (const std::exception& e) {
      log_error(fmt::format("authorizing {} {} failed: {}", to_string(req.method), req.path, e.what()));
    } catch (...) {
    }
    return Response::error(500, "Internal server error");
  }

  net::awaitable<void> session(std::shared_ptr<Conn> c) {
    net::co_spawn(c->socket.get_executor(), watchdog(c), net::detached);
    boost::beast::flat_buffer buffer;
    boost::system::error_code ep_ec;
    std::string remote_ip = c->socket.remote_endpoint(ep_ec).address().to_string();
    bool first = true;

    while (!stopping && !c->close_after) {
      // Headers first: the route decides where the body goes (memory, or a file for uploads) and
      // whether the caller must be authenticated before any of it is read.
      bhttp::request_parser<bhttp::empty_body> head;
      head.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
      head.body_limit(std::numeric_limits<std::uint64_t>::max());

      c->idle = true;
      c->arm(first ? opts.header_timeout : opts.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(c->socket, buffer, head, use_tuple);
      c->idle = false;
      if (ec) {
        if (ec == bhttp::error::header_limit) co_await write_and_close(c, 431, "Request headers too large");
        else if (!is_quiet_error(ec) && ec != bhttp::error::partial_message && c->socket.is_open())
          co_await write_and_close(c, 400, "Malformed HTTP request");
        break;
      }
      first = false;
      auto start = Clock::now();

      Request req;
      req.method = parse_method(head.get().method_string());
      req.target = std::string(head.get().target());
      bool target_ok = split_target(req.target, req.path, req.query_string);
      for (const auto& f : head.get()) req.headers.add(std::string(f.name_string()), std::string(f.value()));
      req.remote_ip = remote_ip;
      std::uint64_t limit = opts.max_body_bytes;
      bool to_file = false;
      if (target_ok && opts.file_body_limit) {
        if (auto l = opts.file_body_limit(req.method, req.path)) {
          limit = *l;
          to_file = true;
        }
      }
      if (auto len = head.content_length(); len && *len > limit) {
        co_await write_and_close(c, 413, fmt::format("Request body too large (limit {} bytes)", limit));
        break;
      }
      bool has_body = !head.is_done();
      // Large bodies are for known callers only: check the credentials in the headers before reading any.
      if (to_file && has_body && opts.authorize_body) {
        c->arm(opts.header_timeout);
        auto refusal = co_await net::co_spawn(
            workers, [&]() -> net::awaitable<std::optional<Response>> { co_return authorize(req); },
            net::use_awaitable);
        if (refusal) {
          co_await write_and_close(c, std::move(*refusal), 1024 * 1024);
          break;
        }
      }
      // In-memory bodies are read before any handler looks at who is asking: bounded per client.
      BodyReservation reservation;
      if (!to_file && has_body) {
        auto want = head.content_length().value_or(limit);
        if (!reserve_body(reservation, client_ip(req, opts.trusted_proxies), want)) {
          Response busy = Response::error(503, "Too many request bodies in flight from this address");
          busy.headers.set("Retry-After", "1");
          co_await write_and_close(c, std::move(busy), 1024 * 1024);
          break;
        }
      }
      if (auto expect = head.get()[bhttp::field::expect]; has_body && util::iequals(expect, "100-continue")) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        c->arm(opts.write_timeout);
        auto [wec, wn] = co_await net::async_write(c->socket, net::buffer(cont), use_tuple);
        if (wec) break;
      }
      unsigned version = head.get().version();
      bool keep_alive = head.get().keep_alive() && !stopping;

      struct TempFile {
        std::string path;
        ~TempFile() {
          if (!path.empty()) ::unlink(path.c_str());
        }
      } body_file;
      boost::system::error_code bec;
      if (to_file) {
        bhttp::request_parser<bhttp::file_body> fp(std::move(head));
        fp.body_limit(limit);
        body_file.path = opts.temp_dir + "/body-" + util::random_hex(12);
        boost::system::error_code fec;
        fp.get().body().open(body_file.path.c_str(), boost::beast::file_mode::write_new, fec);
        if (fec) {
          log_error(fmt::format("cannot create {}: {}", body_file.path, fec.message()));
          body_file.path.clear();
          co_await write_and_close(c, 507, "The server cannot store the upload");
          break;
        }
        bec = co_await read_body(*c, buffer, fp);
        fp.get().body().file().close(fec);
        req.body_file = body_file.path;
      } else {
        bhttp::request_parser<bhttp::string_body> sp(std::move(head));
        sp.body_limit(limit);
        bec = co_await read_body(*c, buffer, sp);
        req.body = std::move(sp.get().body());
      }
      if (bec == bhttp::error::body_limit) {
        co_await write_and_close(c, 413, fmt::format("Request body too large (limit {} bytes)", limit));
        break;
      }
      if (to_file && (bec == boost::system::errc::no_space_on_device || bec == boost::system::errc::file_too_large)) {
        // Nothing of it is kept (the temp file goes with body_file); the client hears why.
        log_error(fmt::format("cannot store a request body in {}: {}", opts.temp_dir, bec.message()));
        co_await write_and_close(c, 507, "The server's disk is full: the upload was not stored; try again later");
        break;
      }
      if (bec) {
        if (!is_quiet_error(bec) && c->socket.is_open()) co_await write_and_close(c, 400, "Malformed HTTP request");
        break;
      }
      req.request_id = request_id_for(req);
      Response res;
      if (!target_ok) {
        res = Response::error(400, "Malformed request target");
        keep_alive = false;
      } else {
        if (opts.runs_inline && opts.runs_inline(req)) {
          res = handle(req);  // cheap and non-blocking: a thread hop would cost more than the work
        } else if (auto fast = try_fast(req)) {
          res = std::move(*fast);
        } else {
          // The handler may wait on the network: it can ask whether the client is still there (a peek
          // at the socket, which nothing else reads meanwhile).
          req.client_gone = [fd = c->socket.native_handle()] {
            char b;
            auto got = ::recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
            return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
          };
          c->arm(opts.write_timeout);  // a handler that never answers does not hold the connection forever
          res = co_await net::co_spawn(
              workers, [&]() -> net::awaitable<Response> { co_return handle(req); }, net::use_awaitable);
        }
      }
      apply_standard_headers(req, res, opts);
      auto bytes = res.content_length().value_or(0);
      int status = res.status;
      bool again = co_await write_response(*c, req, res, keep_alive && !stopping, version);
      if (opts.access_log) {
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        opts.access_log(AccessLogEntry{req.request_id, remote_ip, to_string(req.method), req.path, status,
                                       req.method == Method::head ? 0 : bytes, ms});
      }
      if (!again) break;
    }
    c->close();
  }

  net::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
      if (ec) {
        if (!acceptor.is_open() || ec == net::error::operation_aborted) co_return;
        // Out of descriptors and the like: back off briefly instead of spinning.
        log_error(fmt::format("accept failed: {}", ec.message()));
        net::steady_timer t(ioc, std::chrono::milliseconds(100));
        co_await t.async_wait(use_tuple);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      boost::system::error_code ep_ec;
      std::string ip = socket.remote_endpoint(ep_ec).address().to_string();
      bool exempt = std::find(opts.trusted_proxies.begin(), opts.trusted_proxies.end(), ip) != opts.trusted_proxies.end();
      auto c = std::make_shared<Conn>(std::move(socket));
      {
        std::lock_guard lock(mu);
        if (conns.size() >= opts.max_connections) {
          c->close();
          continue;
        }
        if (!exempt) {
          // One address may not take all the connections: refused at once, before a byte is read.
          auto& count = conns_per_ip[ip];
          if (count >= opts.max_connections_per_ip) {
            c->close();
            continue;
          }
          ++count;
          c->counted_ip = ip;
        }
        conns.insert(c);
      }
      net::co_spawn(c->socket.get_executor(), session(c), [this, c](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log_error(fmt::format("connection failed: {}", ex.what()));
          }
        }
        c->close();
        std::lock_guard lock(mu);
        conns.erase(c);
        if (!c->counted_ip.empty()) {
          if (auto it = conns_per_ip.find(c->counted_ip); it != conns_per_ip.end() && --it->second == 0)
            conns_per_ip.erase(it);
        }
        if (stopping && conns.empty()) grace.cancel();
      });
    }
  }

  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    std::lock_guard lock(mu);
    for (const auto& c : conns) {
      net::post(c->socket.get_executor(), [c] {
        if (c->idle) c->close();
        else c->close_after = true;
      });
    }
    if (conns.empty()) return;
    grace.expires_after(opts.shutdown_grace);
    grace.async_wait([this](boost::system::error_code ec) {
      if (!ec) {
        log_error("shutdown grace period over: closing the remaining connections");
        ioc.stop();
      }
    });
  }
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  impl_->workers.join();
}

void Server::listen() {
  auto& a = impl_->acceptor;
  boost::system::error_code ec;
  auto address = net::ip::make_address(impl_->opts.host, ec);
  if (ec) throw std::runtime_error(fmt::format("HOST '{}' is not an IP address", impl_->opts.host));
  tcp::endpoint ep(address, impl_->opts.port);
  a.open(ep.protocol());
  a.set_option(tcp::acceptor::reuse_address(true));
  a.bind(ep, ec);
  if (ec)
    throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", impl_->opts.host, impl_->opts.port,
                                         ec.message()));
  a.listen(net::socket_base::max_listen_connections);
}

std::uint16_t Server::bound_port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  auto& im = *impl_;
  im.signals.async_wait([&im](boost::system::error_code ec, int) {
    if (!ec) im.begin_shutdown();
  });
  net::co_spawn(im.ioc, im.accept_loop(), net::detached);
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < std::max(1u, im.opts.network_threads); ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  im.workers.join();
}

void Server::stop() {
  net::post(impl_->ioc, [this] { impl_->begin_shutdown(); });
}

namespace {

// One turn for each of a pool's `threads`: a thread that took its turn holds on until all have, so that it
// cannot take a second one meanwhile (or until the deadline: then the remaining turns go to whoever is free).
struct Turns {
  std::mutex mu;
  std::condition_variable cv;
  unsigned taken = 0;
  unsigned threads = 0;

  bool all_taken() const { return taken >= threads; }
};

template <class Executor>
std::shared_ptr<Turns> give_turns(Executor ex, unsigned threads, const std::shared_ptr<const std::function<void()>>& f,
                                  std::chrono::steady_clock::time_point deadline) {
  auto turns = std::make_shared<Turns>();
  turns->threads = threads;
  for (unsigned i = 0; i < threads; ++i)
    net::post(ex, [turns, f, deadline] {
      (*f)();
      std::unique_lock lock(turns->mu);
      if (++turns->taken == turns->threads) turns->cv.notify_all();
      turns->cv.wait_until(lock, deadline, [&] { return turns->all_taken(); });
    });
  return turns;
}

}  // namespace

void Server::on_each_thread(std::function<void()> f, std::chrono::milliseconds wait) {
  auto& im = *impl_;
  auto shared = std::make_shared<const std::function<void()>>(std::move(f));
  auto deadline = std::chrono::steady_clock::now() + wait;
  auto network = give_turns(im.ioc.get_executor(), std::max(1u, im.opts.network_threads), shared, deadline);
  auto workers = give_turns(im.workers.get_executor(), std::max(1u, im.opts.worker_threads), shared, deadline);
  for (const auto& turns : {network, workers}) {
    std::unique_lock lock(turns->mu);
    turns->cv.wait_until(lock, deadline, [&] { return turns->all_taken(); });
  }
}

}  // namespace st::http
