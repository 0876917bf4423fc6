// TLS 1.3 over TCP on Asio coroutines. One I/O thread owns every link (no locks on link state); incoming
// requests are answered on a small handler pool so database work never stalls the I/O.
//
// Backpressure: each link runs at most `max_streams` requests per direction. Further local requests wait
// in a queue on the link; further remote requests are answered with a `busy` error. An inbound request
// counts until its reply is written (not merely queued), and the bytes queued for a link are bounded: over
// `out_high_water` the link stops reading from the peer (so a peer that never reads gets neither new
// handler work nor piles of `busy` replies), under `out_low_water` it reads again, over `out_hard_cap` or
// stalled over the high-water mark for `write_stall_timeout` it is closed.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include "lib/ssl/connection.hpp"
#include "lib/ssl/tls.hpp"
#include "p2p/protocol/frame.hpp"
#include "p2p/protocol/messages.hpp"
#include "p2p/transport/dual_stack.hpp"
#include "p2p/transport/transport.hpp"
#include "util/host_port.hpp"

namespace st::p2p {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using TlsStatus = lib::ssl::Connection::Status;
// A TCP socket or one end of a local socket pair bridged to an ICE path: TLS runs the same over either.
using StreamSocket = asio::generic::stream_protocol::socket;

StreamSocket to_stream(tcp::socket s) {
  boost::system::error_code ec;
  int family = s.local_endpoint(ec).protocol().family();
  if (ec) family = AF_INET;
  auto ex = s.get_executor();
  return StreamSocket(ex, asio::generic::stream_protocol(family, IPPROTO_TCP), s.release());
}

// TLS on a TCP socket: OpenSSL reads and writes the (non-blocking) socket itself, Asio only says when it is
// ready. Touched only on the I/O thread; a read and a write may be under way at once.
class TlsSocket {
 public:
  TlsSocket(StreamSocket s, const lib::ssl::Context& ctx, bool server)
      : socket_(std::move(s)), conn_(ctx, nonblocking(socket_), server) {}

  ssl_st* native_handle() const { return conn_.native_handle(); }
  void close() {
    boost::system::error_code ec;
    socket_.shutdown(StreamSocket::shutdown_both, ec);
    socket_.close(ec);
  }

  // "" when done, else why not.
  // (No co_await inside a condition below: GCC 12 miscompiles some of those.)
  awaitable<std::string> handshake() {
    for (;;) {
      auto r = conn_.handshake();
      if (r.status == TlsStatus::done) co_return "";
      std::string why = co_await wait(r.status, "handshake");
      if (!why.empty()) co_return why;
    }
  }

  // Exactly n bytes; "" when done, else why not.
  awaitable<std::string> read(char* buf, std::size_t n) {
    return all(n, "read", [this, buf](std::size_t done, std::size_t left) { return conn_.read(buf + done, left); });
  }

  // All of the bytes; "" when done, else why not.
  awaitable<std::string> write(const char* buf, std::size_t n) {
    return all(n, "write", [this, buf](std::size_t done, std::size_t left) { return conn_.write(buf + done, left); });
  }

 private:
  static int nonblocking(StreamSocket& s) {
    s.native_non_blocking(true);
    return s.native_handle();
  }

  // Repeats step(done, left) (a read or a write of the rest) until n bytes went through.
  template <typename Step>
  awaitable<std::string> all(std::size_t n, const char* what, Step step) {
    std::size_t done = 0;
    while (done < n) {
      auto r = step(done, n - done);
      if (r.status == TlsStatus::done) {
        done += r.bytes;
        continue;
      }
      std::string why = co_await wait(r.status, what);
      if (!why.empty()) co_return why;
    }
    co_return "";
  }

  awaitable<std::string> wait(TlsStatus st, const char* what) {
    if (st == TlsStatus::closed) co_return "closed by the peer";
    if (st == TlsStatus::failed) co_return conn_.error();
    auto [ec] = co_await socket_.async_wait(
        st == TlsStatus::want_read ? StreamSocket::wait_read : StreamSocket::wait_write, tuple_awaitable);
    if (ec) co_return std::string(what) + ": " + ec.message();
    co_return "";
  }

  StreamSocket socket_;
  lib::ssl::Connection conn_;
};

class TlsTransport;

// One request waiting for its reply. Touched only on the I/O thread, except the future.
struct Call {
  std::promise<Reply> promise;
  std::string payload;
  std::uint32_t stream = 0;
  bool done = false;
  void finish(Reply r) {
    if (done) return;
    done = true;
    promise.set_value(std::move(r));
  }
  void fail(const std::string& why) {
    if (done) return;
    done = true;
    promise.set_exception(std::make_exception_ptr(TransportError(why)));
  }
};

class Link : public std::enable_shared_from_this<Link> {
 public:
  Link(TlsTransport& t, std::shared_ptr<TlsSocket> s, std::string node, std::string ip, bool dialer,
       std::string path = "direct_tcp");
  void start();
  void send_request(std::shared_ptr<Call> c);
  void cancel(const std::shared_ptr<Call>& c);
  void close(const char* why);
  const std::string& node() const { return node_; }
  const std::string& path() const { return path_; }
  bool closed() const { return closed_; }
  std::size_t queued_bytes() const { return outq_bytes_; }

 private:
  awaitable<void> reader();
  awaitable<void> writer();
  awaitable<void> idle_watch();
  void on_frame(const FrameHeader& h, std::string payload, Bytes binary);
  void send(std::string frame, std::string body = {}, Bytes binary = {}, bool reply = false);
  void start_call(std::shared_ptr<Call> c);
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }

  TlsTransport& t_;
  std::shared_ptr<TlsSocket> stream_;
  std::string node_, ip_;
  bool dialer_;
  std::string path_;
  std::uint32_t next_stream_;
  std::map<std::uint32_t, std::shared_ptr<Call>> pending_;
  std::deque<std::shared_ptr<Call>> queued_;
  std::size_t inbound_active_ = 0;
  struct Outgoing {
    std::string head;  // header (or whole frame)
    std::string body;  // then a JSON payload
    Bytes binary;      // or a binary one
    bool reply = false;  // answers an inbound request: that request counts until this is written
    std::size_t size() const { return head.size() + body.size() + binary.size(); }
  };
  std::deque<Outgoing> outq_;
  std::size_t outq_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  asio::steady_timer idle_timer_;
  asio::steady_timer resume_timer_;  // the reader waits on it while too much is queued for the peer
  std::chrono::steady_clock::time_point last_activity_;
  std::chrono::steady_clock::time_point last_write_;  // last write progress, or when the queue filled
};

class TlsTransport final : public Transport {
 public:
  TlsTransport(const crypto::Identity& id, const TlsTransportOptions& o, RequestHandler handler, AdmitFn admit)
      : self_(id.node_id()),
        opts_(o),
        handler_(std::move(handler)),
        admit_(std::move(admit)),
        server_ctx_(id.seed(), true),
        client_ctx_(id.seed(), false),
        probe_ctx_(id.seed(), false, lib::ssl::kProbeAlpn),
        acceptor_(io_),
        workers_(o.limits.handler_threads) {
    try {
      auto l = listen_dual_stack(o.bind_host, o.bind_port);  // IPv6 and IPv4 on one socket where it can
      boost::system::error_code aec;
      acceptor_.assign(l.v6 ? tcp::v6() : tcp::v4(), l.fd, aec);
      if (aec) ::close(l.fd);
      if (aec) throw boost::system::system_error(aec);
    } catch (const std::exception& e) {
      throw TransportError("cannot listen for peers on " + o.bind_host + ":" + std::to_string(o.bind_port) + ": " +
                           e.what());
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }

  ~TlsTransport() override { stop(); }

  // Waits up to `total` for a result posted to the I/O thread. Gives up as soon as the I/O has stopped: what
  // was posted then never runs (a request racing stop() would otherwise wait out its whole timeout, or for
  // ever). True when the result is there.
  template <typename T>
  bool wait_io(std::future<T>& f, std::chrono::milliseconds total) {
    auto deadline = std::chrono::steady_clock::now() + total;
    while (f.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      if (io_.stopped() || std::chrono::steady_clock::now() >= deadline)
        return f.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready;
    }
    return true;
  }

  // Runs fn on the I/O thread and waits for its result (link state is only touched there).
  template <typename Fn>
  auto on_io(Fn&& fn) {
    using R = decltype(fn());
    if (!thread_.joinable() || io_.stopped()) return R{};
    auto p = std::make_shared<std::promise<R>>();
    auto f = p->get_future();
    asio::post(io_, [&fn, p] { p->set_value(fn()); });
    if (!wait_io(f, std::chrono::hours(1))) return R{};
    return f.get();
  }


  std::uint16_t port() const override { return port_; }

  Reply request(const PeerAddress& to, const std::string& payload, std::chrono::milliseconds timeout) override {
    if (to.node_id == self_) throw TransportError("refusing to dial ourselves");
    if (closing_) throw TransportError("transport stopped");
    auto call = std::make_shared<Call>();
    call->payload = payload;
    auto fut = call->promise.get_future();
    asio::post(io_, [this, to, call] {
      if (stopped_) return call->fail("transport stopped");
      auto it = links_.find(to.node_id);
      if (it != links_.end() && !it->second->closed()) return it->second->send_request(call);
      auto& waiters = dialing_[format_peer_address(to)];
      waiters.push_back(call);
      if (waiters.size() == 1) asio::co_spawn(io_, dial(to), asio::detached);
    });
    return wait(call, fut, timeout, to.node_id);
  }

  Reply request_connected(const std::string& node, const std::string& payload,
                          std::chrono::milliseconds timeout) override {
    if (closing_) throw TransportError("transport stopped");
    auto call = std::make_shared<Call>();
    call->payload = payload;
    auto fut = call->promise.get_future();
    asio::post(io_, [this, node, call] {
      auto it = links_.find(node);
      if (stopped_ || it == links_.end() || it->second->closed()) return call->fail("not connected");
      it->second->send_request(call);
    });
    return wait(call, fut, timeout, node);
  }

  bool connected(const std::string& node) override {
    return on_io([&] { return links_.count(node) > 0; });
  }

  void disconnect(const std::string& node) override {
    on_io([&] {
      auto it = links_.find(node);
      if (it != links_.end()) it->second->close("disconnected by us");
      return 0;
    });
  }

  std::size_t connection_count() override {
    return on_io([&] { return links_.size(); });
  }

  std::size_t queued_bytes() override {
    return on_io([&] {
      std::size_t n = 0;
      for (auto& [_, l] : links_) n += l->queued_bytes();
      return n;
    });
  }

  std::string path(const std::string& node) override {
    return on_io([&] {
      auto it = links_.find(node);
      return it == links_.end() || it->second->closed() ? std::string() : it->second->path();
    });
  }

  std::string attach(int fd, bool dialer, const std::string& expected, const std::string& remote_ip,
                     const std::string& path, std::chrono::milliseconds timeout) override {
    if (closing_) {
      ::close(fd);
      throw TransportError("transport stopped");
    }
    auto done = std::make_shared<std::promise<std::string>>();  // the peer's NodeId, or an exception
    auto fut = done->get_future();
    asio::post(io_, [this, fd, dialer, expected, remote_ip, path, done] {
      if (stopped_) {
        ::close(fd);
        return done->set_exception(std::make_exception_ptr(TransportError("transport stopped")));
      }
      StreamSocket sock(io_, asio::generic::stream_protocol(AF_UNIX, 0), fd);
      asio::co_spawn(io_, attach_one(std::move(sock), dialer, expected, remote_ip, path, done), asio::detached);
    });
    if (!wait_io(fut, timeout + opts_.limits.handshake_timeout))
      throw TransportError(closing_ ? "transport stopped" : "the handshake over the " + path + " path did not finish");
    return fut.get();
  }

  bool probe(const PeerAddress& to, std::chrono::milliseconds timeout) override {
    if (closing_ || to.node_id == self_) return false;
    auto done = std::make_shared<std::promise<bool>>();
    auto fut = done->get_future();
    asio::post(io_, [this, to, done] {
      if (stopped_) return done->set_value(false);
      asio::co_spawn(io_, probe_one(to, done), asio::detached);
    });
    if (!wait_io(fut, timeout + opts_.limits.handshake_timeout)) return false;
    return fut.get();
  }

  void stop() override {
    closing_ = true;
    if (!thread_.joinable()) return;
    on_io([&] {
      stopped_ = true;
      boost::system::error_code ec;
      acceptor_.close(ec);
      auto links = links_;
      for (auto& [_, l] : links) l->close("shutting down");
      for (auto& [_, calls] : dialing_)
        for (auto& c : calls) c->fail("transport stopped");
      dialing_.clear();
      return 0;
    });
    io_.stop();
    thread_.join();
    workers_.join();
  }

  // --- used by links (I/O thread) ---
  const TransportLimits& limits() const { return opts_.limits; }
  void remove_link(Link* l) {
    auto it = links_.find(l->node());
    if (it != links_.end() && it->second.get() == l) links_.erase(it);
  }
  // Runs the handler on the pool and hands the reply back to the I/O thread.
  template <typename Done>
  void handle_request(const std::string& node, const std::string& ip, std::string payload, Done done) {
    asio::post(workers_, [this, node, ip, payload = std::move(payload), done = std::move(done)]() mutable {
      Reply r;
      try {
        r = handler_(node, ip, payload);
      } catch (const std::exception& e) {
        spdlog::warn("p2p: request from {} failed: {}", node.substr(0, 8), e.what());
        r = Reply{ReplyKind::error, encode_protocol_error("internal", "the request could not be answered")};
      }
      asio::post(io_, [r = std::move(r), done = std::move(done)]() mutable { done(std::move(r)); });
    });
  }
  asio::io_context& io() { return io_; }

 private:
  Reply wait(const std::shared_ptr<Call>& call, std::future<Reply>& fut, std::chrono::milliseconds timeout,
             const std::string& node) {
    if (!wait_io(fut, timeout)) {
      if (io_.stopped()) throw TransportError("transport stopped");
      asio::post(io_, [this, call, node] {
        auto it = links_.find(node);
        if (it != links_.end()) it->second->cancel(call);
        call->fail("timed out");
      });
      throw TransportError("peer " + node.substr(0, 8) + " did not answer in time");
    }
    return fut.get();
  }

  void register_link(const std::shared_ptr<Link>& l) {
    auto it = links_.find(l->node());
    if (it != links_.end()) it->second->close("replaced by a newer link");
    links_[l->node()] = l;
    l->start();
  }

  // Arms a timer that closes the socket when the handshake takes too long.
  std::shared_ptr<asio::steady_timer> deadline(const std::shared_ptr<TlsSocket>& s) {
    auto t = std::make_shared<asio::steady_timer>(io_, opts_.limits.handshake_timeout);
    t->async_wait([s](boost::system::error_code ec) {
      if (!ec) s->close();
    });
    return t;
  }

  // The authenticated NodeId of a finished handshake, or why the peer is refused. An acceptor also takes
  // dial-backs (kProbeAlpn): `probe` says which it was.
  std::string check_peer(TlsSocket& s, std::string& node, bool* probe = nullptr) {
    auto alpn = lib::ssl::selected_alpn(s.native_handle());
    if (probe && alpn == lib::ssl::kProbeAlpn) *probe = true;
    else if (alpn != lib::ssl::kAlpn) return "wrong ALPN";
    auto key = lib::ssl::peer_ed25519_key(s.native_handle());
    if (!key) return "no Ed25519 certificate";
    crypto::Ed25519Public pk{};
    std::copy(key->begin(), key->end(), pk.begin());
    node = crypto::node_id_of(pk);
    if (node == self_) return "our own key";
    return "";
  }

  // A TCP connection to `to` with the TLS handshake done and the key checked against to.node_id; the
  // socket, or why not (then nothing is left open).
  struct Dialled {
    std::shared_ptr<TlsSocket> socket;
    std::string ip;
    std::string why;
  };
  awaitable<Dialled> connect_tls(const PeerAddress& to, bool probe = false) {
    Dialled out;
    try {
      tcp::resolver resolver(io_);
      auto eps = co_await resolver.async_resolve(to.host, std::to_string(to.port), use_awaitable);
      auto sock = std::make_shared<tcp::socket>(io_);
      auto connect_timer = std::make_shared<asio::steady_timer>(io_, opts_.limits.handshake_timeout);
      connect_timer->async_wait([sock](boost::system::error_code ec) {
        boost::system::error_code ignored;
        if (!ec) sock->close(ignored);  // (a no-op once the socket has moved into its TLS stream)
      });
      co_await asio::async_connect(*sock, eps, use_awaitable);
      connect_timer->cancel();
      sock->set_option(tcp::no_delay(true));
      boost::system::error_code ec;
      out.ip = util::canonical_ip(sock->remote_endpoint(ec).address().to_string());
      auto s = std::make_shared<TlsSocket>(to_stream(std::move(*sock)), probe ? probe_ctx_ : client_ctx_, false);
      out.why = co_await handshake_checked(s, to.node_id, nullptr, probe);
      if (out.why.empty()) out.socket = std::move(s);
      else s->close();
    } catch (const boost::system::system_error& e) {
      out.why = e.code().message();  // (what() carries Asio's source location: not for a user)
    } catch (const std::exception& e) {
      out.why = e.what();
    }
    co_return out;
  }

  // The handshake under its deadline, then the peer's key: `expected` (or any allowed key when empty).
  // `probe`: the client side of a dial-back (its ALPN is kProbeAlpn); `was_probe`: the server side learns one.
  awaitable<std::string> handshake_checked(const std::shared_ptr<TlsSocket>& s, const std::string& expected,
                                           std::string* node_out = nullptr, bool probe = false,
                                           bool* was_probe = nullptr) {
    auto timer = deadline(s);
    std::string why = co_await s->handshake();
    timer->cancel();
    std::string node;
    bool dial_back = false;
    if (why.empty()) why = check_peer(*s, node, (probe || was_probe) ? &dial_back : nullptr);
    if (why.empty() && probe && !dial_back) why = "wrong ALPN";
    if (was_probe) *was_probe = dial_back;
    if (why.empty() && !expected.empty() && node != expected) why = "the peer's key is not the NodeId we expected";
    if (why.empty() && !admit_(node)) why = "peer not allowed";
    if (why.empty() && stopped_) why = "transport stopped";
    if (node_out) *node_out = node;
    co_return why;
  }

  awaitable<void> probe_one(PeerAddress to, std::shared_ptr<std::promise<bool>> done) {
    auto d = co_await connect_tls(to, true);
    if (d.socket) d.socket->close();
    done->set_value(d.socket != nullptr);
  }

  awaitable<void> attach_one(StreamSocket sock, bool dialer, std::string expected, std::string ip, std::string path,
                             std::shared_ptr<std::promise<std::string>> done) {
    std::shared_ptr<TlsSocket> s;
    try {
      s = std::make_shared<TlsSocket>(std::move(sock), dialer ? client_ctx_ : server_ctx_, !dialer);
    } catch (const std::exception& e) {
      done->set_exception(std::make_exception_ptr(TransportError(std::string("cannot set up TLS: ") + e.what())));
      co_return;
    }
    std::string node;
    auto why = co_await handshake_checked(s, expected, &node);
    if (why.empty() && links_.size() >= opts_.limits.max_connections) why = "too many connections";
    if (!why.empty()) {
      s->close();
      done->set_exception(std::make_exception_ptr(TransportError(why)));
      co_return;
    }
    register_link(std::make_shared<Link>(*this, s, node, ip, dialer, path));
    done->set_value(node);
  }

  awaitable<void> dial(PeerAddress to) {
    std::shared_ptr<Link> link;
    auto d = co_await connect_tls(to);
    std::string why = d.why;
    if (d.socket && links_.size() >= opts_.limits.max_connections) why = "too many connections";
    if (d.socket && why.empty()) link = std::make_shared<Link>(*this, d.socket, to.node_id, d.ip, true);
    else if (d.socket) d.socket->close();
    auto waiters = std::move(dialing_[format_peer_address(to)]);
    dialing_.erase(format_peer_address(to));
    if (link) {
      register_link(link);
      for (auto& c : waiters) link->send_request(c);
    } else {
      spdlog::debug("p2p: dialling {} failed: {}", format_peer_address(to), why);
      for (auto& c : waiters) c->fail("cannot connect to " + to.host + ":" + std::to_string(to.port) + ": " + why);
    }
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(tuple_awaitable);
      if (ec) {
        if (!acceptor_.is_open() || stopped_) co_return;
        continue;
      }
      if (links_.size() + handshaking_ >= opts_.limits.max_connections) {
        boost::system::error_code ignored;
        sock.close(ignored);
        continue;
      }
      asio::co_spawn(io_, accept_one(std::move(sock)), asio::detached);
    }
  }

  awaitable<void> accept_one(tcp::socket sock) {
    ++handshaking_;
    boost::system::error_code ec;
    auto ip = util::canonical_ip(sock.remote_endpoint(ec).address().to_string());  // never ::ffff:a.b.c.d
    sock.set_option(tcp::no_delay(true), ec);
    std::shared_ptr<TlsSocket> s;
    try {
      s = std::make_shared<TlsSocket>(to_stream(std::move(sock)), server_ctx_, true);
    } catch (const std::exception& e) {
      --handshaking_;
      spdlog::warn("p2p: cannot set up TLS for {}: {}", ip, e.what());
      co_return;
    }
    std::string node;
    bool probe = false;
    std::string why = co_await handshake_checked(s, "", &node, false, &probe);
    --handshaking_;
    if (why.empty() && probe) {  // a dial-back: the handshake was the answer
      spdlog::debug("p2p: dial-back from {} at {} answered", node.substr(0, 8), ip);
      s->close();
      co_return;
    }
    if (!why.empty()) {
      spdlog::info("p2p: refused a connection from {}: {}", ip, why);
      s->close();
      co_return;
    }
    register_link(std::make_shared<Link>(*this, s, node, ip, false));
  }

  std::string self_;
  TlsTransportOptions opts_;
  RequestHandler handler_;
  AdmitFn admit_;
  asio::io_context io_;
  lib::ssl::Context server_ctx_, client_ctx_, probe_ctx_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;                // I/O thread
  std::atomic<bool> closing_{false};   // any thread: no new requests once stopping
  std::size_t handshaking_ = 0;
  std::map<std::string, std::shared_ptr<Link>> links_;
  std::map<std::string, std::vector<std::shared_ptr<Call>>> dialing_;  // by NodeId@address: each address dialled once at a time
};

Link::Link(TlsTransport& t, std::shared_ptr<TlsSocket> s, std::string node, std::string ip, bool dialer,
           std::string path)
    : t_(t),
      stream_(std::move(s)),
      node_(std::move(node)),
      ip_(std::move(ip)),
      dialer_(dialer),
      path_(std::move(path)),
      next_stream_(dialer ? 1 : 2),
      idle_timer_(t.io()),
      resume_timer_(t.io()) {
  touch();
  last_write_ = last_activity_;
}

void Link::start() {
  asio::co_spawn(t_.io(), reader(), asio::detached);
  asio::co_spawn(t_.io(), idle_watch(), asio::detached);
}

void Link::send_request(std::shared_ptr<Call> c) {
  if (closed_) return c->fail("link closed");
  if (pending_.size() >= t_.limits().max_streams) {
    queued_.push_back(std::move(c));
    return;
  }
  start_call(std::move(c));
}

void Link::start_call(std::shared_ptr<Call> c) {
  if (c->done) return;
  c->stream = next_stream_;
  next_stream_ += 2;
  if (next_stream_ < 3) next_stream_ = dialer_ ? 1 : 2;  // wrapped around after 2^32 streams
  pending_[c->stream] = c;
  touch();
  send(encode_frame(FrameKind::request, c->stream, c->payload));
  c->payload.clear();
  c->payload.shrink_to_fit();
}

void Link::cancel(const std::shared_ptr<Call>& c) {
  if (c->stream) pending_.erase(c->stream);
  std::erase(queued_, c);
}

void Link::close(const char* why) {
  if (closed_) return;
  closed_ = true;
  spdlog::debug("p2p: link with {} closed: {}", node_.substr(0, 8), why);
  auto self = shared_from_this();
  for (auto& [_, c] : pending_) c->fail(std::string("link closed: ") + why);
  for (auto& c : queued_) c->fail(std::string("link closed: ") + why);
  pending_.clear();
  queued_.clear();
  idle_timer_.cancel();
  resume_timer_.cancel();
  stream_->close();
  t_.remove_link(this);
}

awaitable<void> Link::reader() {
  auto self = shared_from_this();
  std::uint8_t hdr[kFrameHeaderLen];
  const char* why = "peer closed the link";
  while (!closed_) {
    // A peer that does not read what we send gets nothing more read from it until the queue drains.
    while (!closed_ && outq_bytes_ > t_.limits().out_high_water) {
      resume_timer_.expires_at(asio::steady_timer::time_point::max());
      co_await resume_timer_.async_wait(tuple_awaitable);  // cancelled by the writer or by close()
    }
    if (closed_) break;
    std::string failed = co_await stream_->read(reinterpret_cast<char*>(hdr), sizeof hdr);
    if (!failed.empty()) break;
    FrameHeader h;
    auto fe = parse_frame_header(hdr, t_.limits().max_frame, h);
    if (fe != FrameError::none) {
      spdlog::warn("p2p: {} sent a bad frame ({}); closing the link", node_.substr(0, 8), describe(fe));
      why = describe(fe);
      break;
    }
    std::string payload;
    Bytes binary;  // (a range: not zero-filled before it is read over)
    char* into = nullptr;
    if (h.kind == FrameKind::binary) {
      binary = Bytes(h.length);
      into = binary.data();
    } else {
      payload.resize(h.length);
      into = payload.data();
    }
    if (h.length > 0) {
      failed = co_await stream_->read(into, h.length);
      if (!failed.empty()) break;
    }
    touch();
    on_frame(h, std::move(payload), std::move(binary));
  }
  close(why);
}

void Link::on_frame(const FrameHeader& h, std::string payload, Bytes binary) {
  if (h.kind == FrameKind::request) {
    bool from_dialer = (h.stream & 1u) == 1u;
    if (from_dialer == dialer_) {  // the peer used our half of the stream ids
      send(encode_frame(FrameKind::error, h.stream, encode_protocol_error("bad_stream", "stream id of the wrong parity")));
      return;
    }
    if (inbound_active_ >= t_.limits().max_streams) {
      send(encode_frame(FrameKind::error, h.stream, encode_protocol_error("busy", "too many concurrent requests")));
      return;
    }
    ++inbound_active_;
    auto self = shared_from_this();
    t_.handle_request(node_, ip_, std::move(payload), [self, stream = h.stream](Reply r) {
      // (the request still counts until the writer has written this: see writer())
      FrameKind k = r.kind == ReplyKind::json ? FrameKind::response
                    : r.kind == ReplyKind::binary ? FrameKind::binary
                                                  : FrameKind::error;
      auto length = static_cast<std::uint32_t>(k == FrameKind::binary ? r.binary.size() : r.payload.size());
      // (a 1 MiB range is not copied)
      self->send(encode_frame_header(k, stream, length), std::move(r.payload), std::move(r.binary), true);
    });
    return;
  }
  auto it = pending_.find(h.stream);
  if (it == pending_.end()) return;  // a reply to a request we gave up on
  auto call = it->second;
  pending_.erase(it);
  ReplyKind k = h.kind == FrameKind::response ? ReplyKind::json
                : h.kind == FrameKind::binary ? ReplyKind::binary
                                              : ReplyKind::error;
  call->finish(Reply{k, std::move(payload), std::move(binary)});
  while (!queued_.empty() && pending_.size() < t_.limits().max_streams) {
    auto next = queued_.front();
    queued_.pop_front();
    start_call(std::move(next));
  }
}

void Link::send(std::string frame, std::string body, Bytes binary, bool reply) {
  if (closed_) {
    if (reply) --inbound_active_;
    return;
  }
  if (outq_.empty()) last_write_ = std::chrono::steady_clock::now();  // (a stall counts from here)
  outq_.push_back(Outgoing{std::move(frame), std::move(body), std::move(binary), reply});
  outq_bytes_ += outq_.back().size();
  if (outq_bytes_ > t_.limits().out_hard_cap) {
    spdlog::warn("p2p: {} does not read what we send ({} bytes queued); closing the link", node_.substr(0, 8),
                 outq_bytes_);
    return close("the peer does not read");
  }
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(t_.io(), writer(), asio::detached);
  }
}

// Sends the queued frames in order. A frame's header goes in one TLS record with the start of its body
// (a record of its own would cost a system call and 22 bytes more); the rest of the body is written from
// where it lies.
awaitable<void> Link::writer() {
  auto self = shared_from_this();
  constexpr std::size_t kRecord = 16384;
  std::string first;
  while (!outq_.empty() && !closed_) {
    const auto& out = outq_.front();  // (a deque keeps references to its front across push_back)
    const std::string& head = out.head;
    std::string_view body = out.binary.size() ? out.binary.view() : std::string_view(out.body);
    std::size_t lead = std::min(body.size(), kRecord - std::min(kRecord, head.size()));
    first.assign(head).append(body, 0, lead);
    std::string why = co_await stream_->write(first.data(), first.size());
    if (why.empty() && lead < body.size()) {
      why = co_await stream_->write(body.data() + lead, body.size() - lead);
    }
    if (!why.empty()) {
      writing_ = false;
      close("write failed");
      co_return;
    }
    outq_bytes_ -= outq_.front().size();
    if (outq_.front().reply) --inbound_active_;
    outq_.pop_front();
    last_write_ = std::chrono::steady_clock::now();
    if (outq_bytes_ <= t_.limits().out_low_water) resume_timer_.cancel();
    touch();
  }
  writing_ = false;
}

awaitable<void> Link::idle_watch() {
  auto self = shared_from_this();
  auto idle = t_.limits().idle_timeout;
  auto stall = t_.limits().write_stall_timeout;
  while (!closed_) {
    idle_timer_.expires_after(std::min(idle, stall) / 4 + std::chrono::milliseconds(10));
    co_await idle_timer_.async_wait(tuple_awaitable);  // cancelled or expired: either way, look again
    if (closed_) co_return;
    if (outq_bytes_ > t_.limits().out_high_water && std::chrono::steady_clock::now() - last_write_ >= stall) {
      spdlog::warn("p2p: {} has not read for a while ({} bytes queued); closing the link", node_.substr(0, 8),
                   outq_bytes_);
      close("the peer does not read");
      co_return;
    }
    bool busy = !pending_.empty() || !queued_.empty() || inbound_active_ > 0 || writing_;
    if (!busy && std::chrono::steady_clock::now() - last_activity_ >= idle) close("idle");
  }
}

}  // namespace

std::unique_ptr<Transport> make_tls_transport(const crypto::Identity& id, const TlsTransportOptions& options,
                                              RequestHandler handler, AdmitFn admit) {
  return std::make_unique<TlsTransport>(id, options, std::move(handler), std::move(admit));
}

}  // namespace st::p2p
