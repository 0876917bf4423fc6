// One ICE session: a libnice reliable agent (one stream, one component) on the GLib thread, and a bridge
// that pumps bytes between the agent's PseudoTCP stream and our end of a socketpair. Everything below
// `State` that is not under `mu` is touched on the GLib thread only.
#include "p2p/transport/ice/ice_session.hpp"

#include <gio/gio.h>
#include <nice/agent.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "p2p/transport/ice/glib_loop.hpp"

namespace st::p2p::ice {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
// Bytes held per direction beyond the kernel's socket buffer and PseudoTCP's own window.
constexpr std::size_t kMaxPending = 192 * 1024;
constexpr guint kLingerSeconds = 30;  // a close waits this long at most for the peer's FIN or a slow reader
// libnice 0.1.21 tells nobody when a FIN without data arrives (PseudoTCP signals "readable" only for new
// data), so the peer's close would go unseen; re-attaching the receive callback makes libnice read the
// socket again, which then finds the end of stream and closes its side. Checked this often while idle.
constexpr guint kEofProbeMs = 200;

// An IP literal for `host` (libnice takes no names); IPv4 preferred.
std::string resolve(const std::string& host, const char* what) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) {
    hints.ai_flags = AI_ADDRCONFIG;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
      throw IceError(std::string("cannot resolve ") + what + " '" + host + "'");
  }
  const addrinfo* pick = res;
  for (auto* a = res; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  char buf[NI_MAXHOST];
  int rc = getnameinfo(pick->ai_addr, pick->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST);
  freeaddrinfo(res);
  if (rc != 0) throw IceError(std::string("cannot resolve ") + what + " '" + host + "'");
  return buf;
}

std::string address_text(const NiceAddress& a) {
  char ip[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string(&a, ip);
  auto port = std::to_string(nice_address_get_port(&a));
  return nice_address_ip_version(&a) == 6 ? "[" + std::string(ip) + "]:" + port : std::string(ip) + ":" + port;
}

const char* type_text(NiceCandidateType t) {
  switch (t) {
    case NICE_CANDIDATE_TYPE_HOST: return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
  }
  return "?";
}

bool is_loopback(const NiceAddress& a) {
  char ip[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string(&a, ip);
  return std::strncmp(ip, "127.", 4) == 0 || std::strcmp(ip, "::1") == 0;
}

// A GSource watching one fd whose events we change as the bridge fills and drains.
GSourceFuncs kWatchFuncs = {
    nullptr, nullptr,
    [](GSource*, GSourceFunc cb, gpointer data) -> gboolean { return cb(data); },
    nullptr, nullptr, nullptr};

}  // namespace

struct IceSession::State : detail::LoopClient, std::enable_shared_from_this<IceSession::State> {
  explicit State(IceOptions o) : opt(std::move(o)), created(std::chrono::steady_clock::now()) {}
  ~State() override = default;

  // --- shared with the caller's thread (under mu) ---
  IceOptions opt;
  std::chrono::steady_clock::time_point created;
  std::mutex mu;
  std::condition_variable cv;
  bool gathered = false, remote_set = false, connected = false, failed = false, closed = false;
  std::string why;
  PathInfo path;

  // --- GLib thread only ---
  detail::GlibLoop* loop = nullptr;
  std::string stun_ip;
  std::vector<std::string> turn_ips;
  NiceAgent* agent = nullptr;
  guint stream = 0;
  int ours = -1, theirs = -1;
  bool handed_over = false, torn_down = false;
  GSource* watch = nullptr;
  gpointer watch_tag = nullptr;
  GIOCondition watch_events = GIOCondition(0);
  GSource* linger = nullptr;
  GSource* eof_probe = nullptr;
  GIOStream* io = nullptr;
  std::string to_sock, to_agent;  // pending bytes (agent → socket, socket → agent)
  std::size_t to_sock_off = 0, to_agent_off = 0;
  bool recv_attached = false, agent_blocked = false, sock_eof = false, write_closed = false, closing = false;
  bool ready = false;  // the stream became writable once (mirrors `connected` on this thread)

  void start();
  void teardown() noexcept;
  void close_now() noexcept override { teardown(); }
  void post_teardown() {
    loop->post([self = shared_from_this()] { self->teardown(); });
  }
  void set_failed(std::string reason) {
    std::lock_guard lk(mu);
    if (!failed && !connected) {
      failed = true;
      why = std::move(reason);
    }
    cv.notify_all();
  }

  // bridge
  void attach_recv(bool on);
  void update_watch();
  void on_fd_ready();
  void read_socket();
  void flush_to_agent();
  void flush_to_sock();
  void close_agent_write();
  void begin_close();
  void finish_close();
  void start_linger();
  void start_eof_probe();
  bool stream_closed();

  // libnice callbacks
  static void on_gathered(NiceAgent*, guint, gpointer self);
  static void on_state(NiceAgent*, guint, guint, guint state, gpointer self);
  static void on_pair(NiceAgent*, guint, guint, NiceCandidate* l, NiceCandidate* r, gpointer self);
  static void on_writable(NiceAgent*, guint, guint, gpointer self);
  static void on_recv(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer self);
};

using State = IceSession::State;

void State::start() {
  auto flags = NiceAgentOption(NICE_AGENT_OPTION_RELIABLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS |
                               (opt.ice_tcp ? NICE_AGENT_OPTION_BYTESTREAM_TCP : 0));
  agent = nice_agent_new_full(loop->context(), NICE_COMPATIBILITY_RFC5245, flags);
  if (!agent) throw IceError("cannot create the ICE agent");
  // upnp off: port mapping is done elsewhere (and SSDP must never leave a lab namespace).
  g_object_set(agent, "upnp", FALSE, "controlling-mode", opt.controlling ? TRUE : FALSE, "ice-tcp",
               opt.ice_tcp ? TRUE : FALSE, "ice-udp", opt.ice_udp ? TRUE : FALSE, nullptr);
  if (!stun_ip.empty()) g_object_set(agent, "stun-server", stun_ip.c_str(), "stun-server-port", guint(opt.stun_port), nullptr);
  for (const auto& a : opt.local_addresses) {
    NiceAddress na;
    nice_address_init(&na);
    if (!nice_address_set_from_string(&na, a.c_str())) throw IceError("bad local address '" + a + "'");
    nice_agent_add_local_address(agent, &na);
  }
  stream = nice_agent_add_stream(agent, 1);
  if (stream == 0) throw IceError("cannot add an ICE stream");
  for (std::size_t i = 0; i < opt.turn.size(); ++i) {
    const auto& t = opt.turn[i];
    if (!nice_agent_set_relay_info(agent, stream, 1, turn_ips[i].c_str(), t.port, t.username.c_str(), t.password.c_str(),
                                   t.tcp ? NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP))
      throw IceError("bad TURN server '" + t.host + "'");
  }
  g_signal_connect(agent, "candidate-gathering-done", G_CALLBACK(on_gathered), this);
  g_signal_connect(agent, "component-state-changed", G_CALLBACK(on_state), this);
  g_signal_connect(agent, "new-selected-pair-full", G_CALLBACK(on_pair), this);
  g_signal_connect(agent, "reliable-transport-writable", G_CALLBACK(on_writable), this);
  attach_recv(true);

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) throw IceError("socketpair failed");
  ours = sv[0];
  theirs = sv[1];
  watch = g_source_new(&kWatchFuncs, sizeof(GSource));
  g_source_set_callback(
      watch, [](gpointer p) -> gboolean {
        static_cast<State*>(p)->on_fd_ready();
        return G_SOURCE_CONTINUE;
      },
      this, nullptr);
  g_source_attach(watch, loop->context());

  if (!nice_agent_gather_candidates(agent, stream)) throw IceError("candidate gathering failed to start");
}

void State::teardown() noexcept {
  if (torn_down) return;
  torn_down = true;
  for (GSource** src : {&linger, &eof_probe}) {
    if (*src) {
      g_source_destroy(*src);
      g_source_unref(*src);
      *src = nullptr;
    }
  }
  if (watch) {
    g_source_destroy(watch);
    g_source_unref(watch);
    watch = nullptr;
  }
  if (agent) {
    g_signal_handlers_disconnect_by_data(agent, this);
    if (stream) nice_agent_attach_recv(agent, stream, 1, loop->context(), nullptr, nullptr);
    if (io) g_object_unref(io);
    io = nullptr;
    if (stream) nice_agent_remove_stream(agent, stream);
    // TURN allocations are released asynchronously; the agent goes when that is done.
    loop->closing_agents++;
    nice_agent_close_async(
        agent,
        [](GObject* src, GAsyncResult*, gpointer l) {
          g_object_unref(src);
          static_cast<detail::GlibLoop*>(l)->closing_agents--;
        },
        loop);
    agent = nullptr;
  }
  if (ours >= 0) ::close(ours);
  if (theirs >= 0) ::close(theirs);
  ours = theirs = -1;
  {
    std::lock_guard lk(mu);
    if (!connected && !failed) {
      failed = true;
      why = "session closed";
    }
    closed = true;
  }
  cv.notify_all();
  loop->release(this);
}

// --- libnice callbacks (GLib thread) ---

void State::on_gathered(NiceAgent*, guint, gpointer p) {
  auto* s = static_cast<State*>(p);
  std::lock_guard lk(s->mu);
  s->gathered = true;
  s->cv.notify_all();
}

void State::on_state(NiceAgent*, guint, guint, guint state, gpointer p) {
  auto* s = static_cast<State*>(p);
  if (state != NICE_COMPONENT_STATE_FAILED) return;
  if (!s->ready) {
    // Before the remote description, FAILED only means no check has run yet.
    bool remote;
    {
      std::lock_guard lk(s->mu);
      remote = s->remote_set;
    }
    if (remote) s->set_failed("no candidate pair succeeded");
    return;
  }
  // After the stream was up: the path failed, or PseudoTCP closed (the peer's FIN or RST). Either way the
  // caller reads what arrived, then EOF.
  s->begin_close();
}

void State::on_pair(NiceAgent*, guint, guint, NiceCandidate* l, NiceCandidate* r, gpointer p) {
  auto* s = static_cast<State*>(p);
  PathInfo pi;
  pi.local = address_text(l->addr);
  pi.remote = address_text(r->addr);
  pi.local_type = type_text(l->type);
  pi.remote_type = type_text(r->type);
  pi.kind = (l->type == NICE_CANDIDATE_TYPE_RELAYED || r->type == NICE_CANDIDATE_TYPE_RELAYED) ? PathKind::relayed
                                                                                                : PathKind::direct;
  pi.transport = l->transport == NICE_CANDIDATE_TRANSPORT_UDP ? "udp" : "tcp";
  std::lock_guard lk(s->mu);
  s->path = std::move(pi);
}

void State::on_writable(NiceAgent*, guint, guint, gpointer p) {
  auto* s = static_cast<State*>(p);
  if (s->torn_down) return;
  if (!s->ready) {
    s->ready = true;
    s->start_eof_probe();
    std::lock_guard lk(s->mu);
    s->connected = true;
    s->cv.notify_all();
  }
  s->agent_blocked = false;
  s->flush_to_agent();
  s->update_watch();
}

void State::on_recv(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer p) {
  auto* s = static_cast<State*>(p);
  if (s->torn_down || s->ours < 0) return;
  std::size_t done = 0;
  if (s->to_sock_off == s->to_sock.size()) {
    auto w = ::send(s->ours, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      // The caller closed its end: nobody reads any more.
      s->post_teardown();
      return;
    }
    if (w > 0) done = std::size_t(w);
  }
  if (done < len) {
    if (s->to_sock_off == s->to_sock.size()) {
      s->to_sock.clear();
      s->to_sock_off = 0;
    }
    s->to_sock.append(buf + done, len - done);
    // Backpressure: stop taking bytes out of PseudoTCP, so its window closes towards the peer.
    if (s->to_sock.size() - s->to_sock_off >= kMaxPending) s->attach_recv(false);
  }
  s->update_watch();
}

// --- bridge (GLib thread) ---

void State::attach_recv(bool on) {
  if (on == recv_attached || !agent) return;
  recv_attached = on;
  // Re-attaching delivers what PseudoTCP held meanwhile, synchronously (on_recv may run inside).
  nice_agent_attach_recv(agent, stream, 1, loop->context(), on ? on_recv : nullptr, on ? this : nullptr);
}

void State::update_watch() {
  if (!watch || ours < 0) return;
  int ev = 0;
  if (ready && !sock_eof && !closing && !agent_blocked && to_agent_off == to_agent.size()) ev |= G_IO_IN;
  if (to_sock_off < to_sock.size()) ev |= G_IO_OUT;
  auto events = GIOCondition(ev);
  if (events == watch_events && (watch_tag || !ev)) return;
  watch_events = events;
  // With no interest the fd leaves the poll set: a hung-up peer would otherwise wake us forever.
  if (!ev) {
    if (watch_tag) g_source_remove_unix_fd(watch, watch_tag);
    watch_tag = nullptr;
  } else if (!watch_tag) {
    watch_tag = g_source_add_unix_fd(watch, ours, events);
  } else {
    g_source_modify_unix_fd(watch, watch_tag, events);
  }
}

void State::on_fd_ready() {
  if (torn_down || !watch_tag) return;
  auto rev = g_source_query_unix_fd(watch, watch_tag);
  if (to_sock_off < to_sock.size() && (rev & (G_IO_OUT | G_IO_ERR | G_IO_HUP))) flush_to_sock();
  if (torn_down) return;
  if ((watch_events & G_IO_IN) && (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR))) read_socket();
  if (torn_down) return;
  update_watch();
}

void State::read_socket() {
  // A bounded batch per wake-up, so one busy session does not starve the others.
  for (int i = 0; i < 16 && !agent_blocked && !sock_eof && !torn_down; ++i) {
    to_agent.resize(kChunk);
    to_agent_off = 0;
    auto n = ::read(ours, to_agent.data(), kChunk);
    if (n < 0) {
      to_agent.clear();
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      post_teardown();
      return;
    }
    to_agent.resize(std::size_t(n));
    if (n == 0) {
      sock_eof = true;
      close_agent_write();
      return;
    }
    flush_to_agent();
  }
}

void State::flush_to_agent() {
  if (!agent) return;
  while (to_agent_off < to_agent.size()) {
    auto left = to_agent.size() - to_agent_off;
    auto n = nice_agent_send(agent, stream, 1, guint(left), to_agent.data() + to_agent_off);
    if (n <= 0) {
      // Full (or not writable yet): "reliable-transport-writable" resumes us. A partial write is retried
      // at once, because only a refused one arms that signal.
      agent_blocked = true;
      return;
    }
    to_agent_off += std::size_t(n);
  }
  to_agent.clear();
  to_agent_off = 0;
  if (sock_eof && !write_closed) close_agent_write();
}

void State::flush_to_sock() {
  while (to_sock_off < to_sock.size()) {
    auto w = ::send(ours, to_sock.data() + to_sock_off, to_sock.size() - to_sock_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      post_teardown();
      return;
    }
    to_sock_off += std::size_t(w);
  }
  to_sock.clear();
  to_sock_off = 0;
  if (closing) {
    finish_close();
    return;
  }
  attach_recv(true);
}

// Our caller closed its end: once every byte it wrote is in PseudoTCP, send a FIN after them. The
// session ends when PseudoTCP reports the connection closed (FAILED), or after the linger time.
void State::close_agent_write() {
  if (write_closed || !agent || to_agent_off < to_agent.size()) return;
  write_closed = true;
  if (!io) io = nice_agent_get_io_stream(agent, stream, 1);
  if (io) g_output_stream_close(g_io_stream_get_output_stream(io), nullptr, nullptr);
  start_linger();
}

void State::begin_close() {
  if (closing) return;
  closing = true;
  start_linger();
  if (to_sock_off == to_sock.size()) finish_close();
  else update_watch();
}

void State::finish_close() {
  if (watch_tag) g_source_remove_unix_fd(watch, watch_tag);  // a closed fd in the poll set would spin
  watch_tag = nullptr;
  if (ours >= 0) {
    ::close(ours);
    ours = -1;
  }
  post_teardown();
}

void State::start_linger() {
  if (linger) return;
  linger = g_timeout_source_new_seconds(kLingerSeconds);
  g_source_set_callback(
      linger, [](gpointer p) -> gboolean {
        static_cast<State*>(p)->post_teardown();
        return G_SOURCE_REMOVE;
      },
      this, nullptr);
  g_source_attach(linger, loop->context());
}

// A graceful PseudoTCP close (FIN both ways) emits no signal either; an empty send tells it apart from an
// open stream ("not connected" instead of success), as it does a revoked consent.
bool State::stream_closed() {
  if (!agent) return true;
  GError* err = nullptr;
  int n = nice_agent_send_messages_nonblocking(agent, stream, 1, nullptr, 0, nullptr, &err);
  bool gone = n < 0 && err && !g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error(&err);
  return gone;
}

void State::start_eof_probe() {
  eof_probe = g_timeout_source_new(kEofProbeMs);
  g_source_set_callback(
      eof_probe, [](gpointer p) -> gboolean {
        auto* s = static_cast<State*>(p);
        if (s->closing || s->torn_down) return G_SOURCE_CONTINUE;
        if (s->recv_attached) {
          s->attach_recv(false);
          s->attach_recv(true);
        }
        if (!s->closing && !s->torn_down && s->stream_closed()) s->begin_close();
        return G_SOURCE_CONTINUE;
      },
      this, nullptr);
  g_source_attach(eof_probe, loop->context());
}

// --- the caller's side ---

IceSession::IceSession(IceOptions o) {
  auto st = std::make_shared<State>(std::move(o));
  if (!st->opt.stun_host.empty()) st->stun_ip = resolve(st->opt.stun_host, "STUN server");
  for (const auto& t : st->opt.turn) st->turn_ips.push_back(resolve(t.host, "TURN server"));
  auto& loop = detail::GlibLoop::get();
  st->loop = &loop;
  loop.run([&] {
    try {
      st->start();
    } catch (...) {
      st->teardown();
      throw;
    }
    loop.adopt(st);
  });
  s_ = std::move(st);
}

IceSession::~IceSession() {
  if (!s_) return;
  auto* loop = detail::GlibLoop::running();
  if (loop != s_->loop) return;  // shutdown() closed it already
  try {
    loop->run([s = s_] {
      if (!s->handed_over) s->teardown();
    });
  } catch (...) {
  }
}

IceDescription IceSession::local_description() {
  {
    std::unique_lock lk(s_->mu);
    s_->cv.wait_until(lk, s_->created + s_->opt.gather_timeout, [&] { return s_->gathered || s_->closed; });
    if (s_->closed) throw IceError("session closed");
  }
  IceDescription d;
  s_->loop->run([&] {
    if (s_->torn_down || !s_->agent) throw IceError("session closed");
    gchar *ufrag = nullptr, *pwd = nullptr;
    if (!nice_agent_get_local_credentials(s_->agent, s_->stream, &ufrag, &pwd)) throw IceError("no local credentials");
    d.ufrag = ufrag;
    d.pwd = pwd;
    g_free(ufrag);
    g_free(pwd);
    GSList* cands = nice_agent_get_local_candidates(s_->agent, s_->stream, 1);
    std::vector<NiceCandidate*> v;
    for (auto* i = cands; i; i = i->next) v.push_back(static_cast<NiceCandidate*>(i->data));
    // Server-reflexive and relayed candidates first: they are what crosses NATs, and they must survive
    // the 32-candidate / 4 KiB bound on a host with many interfaces.
    std::stable_sort(v.begin(), v.end(), [](NiceCandidate* a, NiceCandidate* b) {
      bool ha = a->type == NICE_CANDIDATE_TYPE_HOST, hb = b->type == NICE_CANDIDATE_TYPE_HOST;
      if (ha != hb) return hb;
      return a->priority > b->priority;
    });
    std::size_t bytes = encode_description(d).size();
    for (auto* c : v) {
      gchar* sdp = nice_agent_generate_local_candidate_sdp(s_->agent, c);
      std::string line = sdp ? sdp : "";
      g_free(sdp);
      if (line.rfind("a=", 0) == 0) line.erase(0, 2);
      std::string why;
      if (!valid_candidate(line, why)) continue;
      if (d.candidates.size() >= kMaxCandidates || bytes + line.size() + 1 > kMaxDescriptionBytes) break;
      bytes += line.size() + 1;
      d.candidates.push_back(std::move(line));
    }
    g_slist_free_full(cands, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
  });
  if (d.candidates.empty()) throw IceError("no local candidate gathered");
  return d;
}

void IceSession::set_remote(const IceDescription& d) {
  std::string why;
  // The same checks as for the text form (sizes, counts, every field).
  if (!decode_description(encode_description(d), why)) throw IceError("bad remote description: " + why);
  s_->loop->run([&] {
    auto* s = s_.get();
    if (s->torn_down || !s->agent) throw IceError("session closed");
    bool allow_loopback = false;
    for (const auto& a : s->opt.local_addresses) allow_loopback |= a.rfind("127.", 0) == 0 || a == "::1";
    GSList* list = nullptr;
    for (const auto& c : d.candidates) {
      NiceCandidate* nc = nice_agent_parse_remote_candidate_sdp(s->agent, s->stream, ("a=" + c).c_str());
      if (!nc) {
        g_slist_free_full(list, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
        throw IceError("bad remote candidate: " + c);
      }
      bool tcp = nc->transport != NICE_CANDIDATE_TRANSPORT_UDP;
      if ((is_loopback(nc->addr) && !allow_loopback) || (tcp && !s->opt.ice_tcp)) {
        nice_candidate_free(nc);
        continue;
      }
      list = g_slist_append(list, nc);
    }
    if (!nice_agent_set_remote_credentials(s->agent, s->stream, d.ufrag.c_str(), d.pwd.c_str())) {
      g_slist_free_full(list, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
      throw IceError("remote credentials refused");
    }
    int n = list ? nice_agent_set_remote_candidates(s->agent, s->stream, 1, list) : 0;
    g_slist_free_full(list, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
    if (n < 0) throw IceError("remote candidates refused");
    std::lock_guard lk(s->mu);
    s->remote_set = true;
  });
}

int IceSession::wait_connected() {
  auto deadline = std::chrono::steady_clock::now() + s_->opt.connect_timeout;
  {
    std::unique_lock lk(s_->mu);
    if (!s_->remote_set) throw IceError("no remote description");
    s_->cv.wait_until(lk, deadline, [&] { return s_->connected || s_->failed || s_->closed; });
    if (!s_->connected) {
      if (s_->failed) throw IceError(s_->why);
      throw IceError("timed out after " + std::to_string(s_->opt.connect_timeout.count()) + " ms");
    }
  }
  int fd = -1;
  s_->loop->run([&] {
    if (s_->torn_down) return;
    s_->handed_over = true;
    fd = s_->theirs;
    s_->theirs = -1;
  });
  if (fd < 0) throw IceError("session closed");
  return fd;
}

PathInfo IceSession::path() const {
  std::lock_guard lk(s_->mu);
  return s_->path;
}

void shutdown() { detail::GlibLoop::shutdown(); }

}  // namespace st::p2p::ice
