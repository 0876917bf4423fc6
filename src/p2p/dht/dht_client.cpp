#include "p2p/dht/dht_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "lib/ssl/digest.hpp"
#include "p2p/dht/routing_table.hpp"
#include "util/host_port.hpp"
#include "util/random.hpp"

namespace st::p2p::dht {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kClosest = 8;         // K: nodes a lookup converges on and puts go to
constexpr std::size_t kMaxCandidates = 64;  // per lookup
constexpr std::size_t kMaxPending = 512;    // queries in flight, all lookups together
constexpr std::size_t kMaxStored = 1024;    // items a non-read-only node keeps
constexpr auto kTokenRotation = std::chrono::minutes(5);

NodeId sha1_id(std::string_view data) {
  auto d = lib::ssl::sha1(data);
  NodeId id{};
  std::memcpy(id.data(), d.data(), id.size());
  return id;
}

std::string key_bytes(const PublicKey& k) { return std::string(reinterpret_cast<const char*>(k.data()), k.size()); }

std::optional<udp::endpoint> to_udp(const Endpoint& e) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(e.ip, ec);
  if (ec || e.port == 0) return std::nullopt;
  return udp::endpoint(a, e.port);
}

Endpoint from_udp(const udp::endpoint& e) {
  auto a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return Endpoint{a.to_string(), e.port()};
}

// Splits "host:port" / "[v6]:port"; nothing when malformed (an unbracketed IPv6 literal is).
std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& s) {
  auto p = util::parse_host_port(s);
  if (!p) return std::nullopt;
  return std::make_pair(std::move(p->host), std::to_string(p->port));
}

}  // namespace

struct DhtClient::Impl : std::enable_shared_from_this<DhtClient::Impl> {
  struct Pending {
    udp::endpoint to;
    std::function<void(const KrpcMessage*)> done;  // nullptr: timed out, or the client stopped
    std::unique_ptr<asio::steady_timer> timer;
  };

  // One iterative lookup toward a target: find_node (bootstrap) or get (items).
  struct Lookup {
    enum class State { fresh, asked, answered, failed };
    struct Candidate {
      NodeEntry node;
      bool id_known = true;
      State state = State::fresh;
      bool slow = false;  // asked, no answer after a quarter of the query timeout: no longer waited for
      std::string token;
    };
    NodeId target{};
    std::optional<PublicKey> key;  // a get for this key's item; nothing: find_node
    std::vector<Candidate> candidates;
    std::size_t in_flight = 0;  // asked and not slow yet
    std::vector<Endpoint> slow;  // asked, still unanswered, no longer counted in flight
    std::optional<SignedPacket> best;
    std::unique_ptr<asio::steady_timer> deadline;
    std::function<void(Lookup&)> done;
    bool finished = false;
    std::uint64_t op = 0;
  };

  DhtOptions opt;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  udp::socket sock{io};
  bool v6 = false;
  std::thread thread;
  NodeId self{};
  RoutingTable table{NodeId{}};
  std::vector<udp::endpoint> bootstrap;  // I/O thread only once started
  std::unordered_map<std::uint16_t, Pending> pending;
  std::uint16_t next_tid = 0;
  std::array<char, kMaxDatagram + 1> buf{};
  udp::endpoint from;
  std::map<NodeId, SignedPacket> store;
  std::array<std::uint8_t, 16> secret{}, previous_secret{};
  Clock::time_point secret_since = Clock::now();
  std::map<std::uint64_t, std::function<void()>> aborts;  // operations to end on stop()
  std::uint64_t next_op = 1;
  bool stopping = false;

  std::atomic<std::size_t> table_size{0};
  std::atomic<std::uint64_t> queries_sent{0}, responses{0}, dropped{0}, rejected{0};
  std::mutex stop_mutex;
  std::atomic<bool> stopped{false};

  explicit Impl(DhtOptions o) : opt(std::move(o)) {
    util::random_bytes(self.data(), self.size());
    table = RoutingTable(self);
    util::random_bytes(secret.data(), secret.size());
    previous_secret = secret;
    util::random_bytes(&next_tid, sizeof next_tid);
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(opt.bind_host, ec);
    if (ec) throw std::runtime_error("DHT: bad bind address " + opt.bind_host);
    v6 = addr.is_v6();
    sock.open(v6 ? udp::v6() : udp::v4(), ec);
    if (!ec) sock.bind(udp::endpoint(addr, opt.bind_port), ec);
    if (ec) throw std::runtime_error("DHT: cannot bind UDP " + opt.bind_host + ":" + std::to_string(opt.bind_port) +
                                     ": " + ec.message());
    bootstrap = resolve(opt.bootstrap);
  }

  std::vector<udp::endpoint> resolve(const std::vector<std::string>& names) {
    std::vector<udp::endpoint> out;
    udp::resolver resolver(io);
    for (const auto& name : names) {
      auto hp = split_host_port(name);
      if (!hp) continue;
      boost::system::error_code ec;
      auto results = resolver.resolve(v6 ? udp::v6() : udp::v4(), hp->first, hp->second, ec);
      if (ec) continue;
      for (const auto& r : results) {
        out.push_back(r.endpoint());
        break;
      }
    }
    return out;
  }

  void start() {
    receive();
    thread = std::thread([self = shared_from_this()] { self->io.run(); });
    if (!bootstrap.empty()) asio::post(io, [this] { start_lookup(self, std::nullopt, [](Lookup&) {}); });
  }

  // ---- the socket ---------------------------------------------------------------------------------

  void receive() {
    sock.async_receive_from(asio::buffer(buf), from, [this](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted || stopping) return;
      if (!ec) on_datagram(std::string_view(buf.data(), n));
      receive();
    });
  }

  void send(const udp::endpoint& to, const std::string& payload) {
    boost::system::error_code ec;
    sock.send_to(asio::buffer(payload), to, 0, ec);
  }

  bool usable(const udp::endpoint& e) const {
    auto a = e.address();
    return e.port() != 0 && a.is_v6() == v6 && !a.is_unspecified() && !a.is_multicast() &&
           !(a.is_v4() && a.to_v4() == asio::ip::address_v4::broadcast());
  }

  // Sends a query built for a fresh transaction id; `done` runs once, with the answer or nullptr.
  void query(const udp::endpoint& to, const std::function<std::string(std::string_view)>& build,
             std::function<void(const KrpcMessage*)> done) {
    if (pending.size() >= kMaxPending || !usable(to)) {
      asio::post(io, [done = std::move(done)] { done(nullptr); });
      return;
    }
    std::uint16_t tid = next_tid++;
    while (pending.count(tid)) tid = next_tid++;
    std::string tid_bytes{static_cast<char>(tid >> 8), static_cast<char>(tid & 0xff)};
    auto timer = std::make_unique<asio::steady_timer>(io, opt.query_timeout);
    timer->async_wait([this, tid](boost::system::error_code ec) {
      if (ec) return;  // answered (the timer went with its entry) or stopped
      auto it = pending.find(tid);
      if (it == pending.end()) return;
      auto cb = std::move(it->second.done);
      pending.erase(it);
      cb(nullptr);
    });
    pending.emplace(tid, Pending{to, std::move(done), std::move(timer)});
    ++queries_sent;
    send(to, build(tid_bytes));
  }

  void on_datagram(std::string_view data) {
    if (data.size() > kMaxDatagram) {
      ++dropped;
      return;
    }
    std::string why;
    auto msg = parse_krpc(data, why);
    if (!msg) {
      ++dropped;
      return;
    }
    if (msg->kind == KrpcMessage::Kind::query) {
      on_query(*msg, from);
      return;
    }
    // Answers count only from the node we asked, under the transaction id we gave it.
    if (msg->tid.size() != 2) {
      ++dropped;
      return;
    }
    auto tid = static_cast<std::uint16_t>((static_cast<std::uint8_t>(msg->tid[0]) << 8) | static_cast<std::uint8_t>(msg->tid[1]));
    auto it = pending.find(tid);
    if (it == pending.end() || it->second.to != from) {
      ++dropped;
      return;
    }
    auto cb = std::move(it->second.done);
    pending.erase(it);
    ++responses;
    cb(&*msg);
  }

  // ---- answering (not in read-only mode) ------------------------------------------------------------

  std::string token_for(const udp::endpoint& e, const std::array<std::uint8_t, 16>& s) const {
    auto a = e.address();
    std::string in(reinterpret_cast<const char*>(s.data()), s.size());
    if (a.is_v4()) {
      auto b = a.to_v4().to_bytes();
      in.append(reinterpret_cast<const char*>(b.data()), b.size());
    } else {
      auto b = a.to_v6().to_bytes();
      in.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
    return lib::ssl::sha1(in).substr(0, 8);
  }

  void rotate_secret() {
    if (Clock::now() - secret_since < kTokenRotation) return;
    previous_secret = secret;
    util::random_bytes(secret.data(), secret.size());
    secret_since = Clock::now();
  }

  void on_query(const KrpcMessage& q, const udp::endpoint& peer) {
    if (opt.read_only) return;  // BEP 43: read-only nodes do not answer
    rotate_secret();
    // BEP 43: read-only nodes must not enter routing tables.
    if (!q.read_only && usable(peer)) {
      table.add(NodeEntry{*q.id, from_udp(peer)});
      table_size = table.size();
    }
    BDict r{{"id", node_id_bytes(self)}};
    if (q.method == "ping") {
      send(peer, krpc_response(q.tid, std::move(r)));
    } else if (q.method == "find_node" || q.method == "get") {
      if (!q.target) return send(peer, krpc_error(q.tid, 203, "missing target"));
      // BEP 32: the family asked for; this client holds one family's table, so a query wanting only the
      // other gets no node list (it asks a node of that family).
      bool want_ours = (!q.want_n4 && !q.want_n6) || (v6 ? q.want_n6 : q.want_n4);
      if (want_ours) {
        auto nodes = table.closest(*q.target, kClosest);
        r.emplace_back(v6 ? "nodes6" : "nodes", encode_compact_nodes(nodes, v6));
      }
      if (q.method == "get") {
        r.emplace_back("token", token_for(peer, secret));
        auto it = store.find(*q.target);
        if (it != store.end()) {
          const auto& p = it->second;
          r.emplace_back("k", key_bytes(p.key));
          r.emplace_back("seq", BValue(static_cast<std::int64_t>(p.timestamp_us)));
          r.emplace_back("sig", std::string(reinterpret_cast<const char*>(p.sig.data()), p.sig.size()));
          r.emplace_back("v", p.dns);
        }
      }
      send(peer, krpc_response(q.tid, std::move(r)));
    } else if (q.method == "put") {
      if (q.token != token_for(peer, secret) && q.token != token_for(peer, previous_secret))
        return send(peer, krpc_error(q.tid, 203, "bad token"));
      if (q.has_salt) return send(peer, krpc_error(q.tid, 203, "salted items are not stored here"));
      if (!q.key || !q.sig || !q.seq || !q.value || !q.value_is_string || *q.seq < 0)
        return send(peer, krpc_error(q.tid, 203, "not a mutable item"));
      SignedPacket p{*q.key, *q.sig, static_cast<std::uint64_t>(*q.seq), *q.value};
      if (bencode_string(p.dns).size() > kMaxBencodedValue) return send(peer, krpc_error(q.tid, 205, "message too big"));
      if (!check_packet(p).empty()) {
        ++rejected;
        return send(peer, krpc_error(q.tid, 206, "invalid signature"));
      }
      auto target = sha1_id(key_bytes(p.key));
      auto it = store.find(target);
      if (it != store.end() && it->second.timestamp_us > p.timestamp_us)
        return send(peer, krpc_error(q.tid, 302, "sequence number less than current"));
      if (it == store.end() && store.size() >= kMaxStored) return send(peer, krpc_error(q.tid, 202, "store full"));
      store[target] = std::move(p);
      send(peer, krpc_response(q.tid, std::move(r)));
    } else {
      send(peer, krpc_error(q.tid, 204, "method unknown"));
    }
  }

  // ---- lookups ------------------------------------------------------------------------------------

  using LookupPtr = std::shared_ptr<Lookup>;

  void start_lookup(const NodeId& target, std::optional<PublicKey> key, std::function<void(Lookup&)> done) {
    auto l = std::make_shared<Lookup>();
    l->target = target;
    l->key = key;
    l->done = std::move(done);
    l->op = next_op++;
    for (const auto& n : table.closest(target, kClosest)) l->candidates.push_back({n, true});
    // An empty or thin table is refilled from the bootstrap nodes (their ids are learnt from their answers).
    if (table.size() < kClosest) {
      for (const auto& b : bootstrap) {
        auto e = from_udp(b);
        bool known = std::any_of(l->candidates.begin(), l->candidates.end(),
                                 [&](const auto& c) { return c.node.endpoint == e; });
        if (!known) l->candidates.push_back({NodeEntry{NodeId{}, e}, false});
      }
    }
    l->deadline = std::make_unique<asio::steady_timer>(io, opt.lookup_timeout);
    std::weak_ptr<Lookup> weak = l;
    l->deadline->async_wait([this, weak](boost::system::error_code ec) {
      if (ec) return;
      if (auto l = weak.lock()) finish(*l);
    });
    aborts[l->op] = [this, l] { finish(*l); };
    sort_candidates(*l);
    step(l);
  }

  void sort_candidates(Lookup& l) {
    std::stable_sort(l.candidates.begin(), l.candidates.end(), [&](const auto& a, const auto& b) {
      if (a.id_known != b.id_known) return !a.id_known;  // bootstrap seeds first
      return closer(a.node.id, b.node.id, l.target);
    });
    if (l.candidates.size() > kMaxCandidates) l.candidates.resize(kMaxCandidates);
  }

  void finish(Lookup& l) {
    if (l.finished) return;
    l.finished = true;
    if (l.deadline) l.deadline->cancel();
    aborts.erase(l.op);
    auto done = std::move(l.done);
    if (done) done(l);
  }

  void step(const LookupPtr& l) {
    if (l->finished) return;
    std::size_t window = 0;  // live candidates seen so far among the closest
    for (auto& c : l->candidates) {
      if (c.state == Lookup::State::failed || c.slow) continue;
      if (c.id_known && ++window > kClosest) break;
      if (c.state != Lookup::State::fresh) continue;
      if (l->in_flight >= opt.max_in_flight) break;
      auto to = to_udp(c.node.endpoint);
      if (!to) {
        c.state = Lookup::State::failed;
        continue;
      }
      c.state = Lookup::State::asked;
      ++l->in_flight;
      bool get = l->key.has_value();
      auto target = l->target;
      auto ro = opt.read_only;
      query(
          *to,
          [&, get, target, ro](std::string_view tid) {
            return get ? krpc_get(tid, self, target, ro) : krpc_find_node(tid, self, target, ro);
          },
          [this, l, endpoint = c.node.endpoint](const KrpcMessage* m) { on_answer(l, endpoint, m); });
      watch_slow(l, c.node.endpoint);
    }
    if (l->in_flight == 0) finish(*l);
  }

  // Unreachable nodes (NATed or read-only ones that others still list) must not hold a lookup for a whole
  // query timeout: after a quarter of it the query stops counting as in flight and the lookup moves on; a
  // late answer is still used.
  void watch_slow(const LookupPtr& l, const Endpoint& endpoint) {
    auto timer = std::make_shared<asio::steady_timer>(io, opt.query_timeout / 4);
    timer->async_wait([this, l, endpoint, timer](boost::system::error_code ec) {
      if (ec || l->finished) return;
      auto c = std::find_if(l->candidates.begin(), l->candidates.end(),
                            [&](const auto& x) { return x.node.endpoint == endpoint; });
      if (c == l->candidates.end() || c->state != Lookup::State::asked || c->slow) return;
      c->slow = true;
      l->slow.push_back(endpoint);
      --l->in_flight;
      step(l);
    });
  }

  void on_answer(const LookupPtr& l, const Endpoint& endpoint, const KrpcMessage* m) {
    auto was_slow = std::find(l->slow.begin(), l->slow.end(), endpoint);
    if (was_slow != l->slow.end()) l->slow.erase(was_slow);
    else --l->in_flight;
    if (l->finished) return;
    auto c = std::find_if(l->candidates.begin(), l->candidates.end(),
                          [&](const auto& x) { return x.node.endpoint == endpoint; });
    if (!m || m->kind != KrpcMessage::Kind::response) {
      if (!m) table.failed(endpoint);
      table_size = table.size();
      if (c != l->candidates.end()) {
        c->state = Lookup::State::failed;
        c->slow = false;
      }
      return step(l);
    }
    if (!m->read_only) table.add(NodeEntry{*m->id, endpoint});
    table_size = table.size();
    if (c != l->candidates.end()) {
      c->state = Lookup::State::answered;
      c->slow = false;
      c->node.id = *m->id;
      c->id_known = true;
      c->token = m->token;
    }
    if (l->key) take_item(*l, *m);
    for (const auto& n : v6 ? m->nodes6 : m->nodes) {
      if (n.id == self) continue;
      auto u = to_udp(n.endpoint);
      if (!u || !usable(*u)) continue;
      bool known = std::any_of(l->candidates.begin(), l->candidates.end(), [&](const auto& x) {
        return x.node.endpoint == n.endpoint || (x.id_known && x.node.id == n.id);
      });
      if (!known) l->candidates.push_back({n, true});
    }
    sort_candidates(*l);
    step(l);
  }

  void take_item(Lookup& l, const KrpcMessage& m) {
    if (!m.value && !m.sig && !m.key && !m.seq && m.value_is_string) return;  // no item here
    auto reject = [&] { ++rejected; };
    if (!m.value || !m.value_is_string || !m.sig || !m.key || !m.seq || *m.seq < 0) return reject();
    if (*m.key != *l.key || sha1_id(key_bytes(*m.key)) != l.target) return reject();
    SignedPacket p{*m.key, *m.sig, static_cast<std::uint64_t>(*m.seq), *m.value};
    if (!check_packet(p).empty()) return reject();
    if (l.best && l.best->timestamp_us >= p.timestamp_us) return;  // older or the same: keep the newest
    l.best = std::move(p);
  }

  // put: a get lookup for tokens, then put to the closest nodes that gave one.
  void start_put(const SignedPacket& p, std::function<void(PutResult)> done) {
    auto target = sha1_id(key_bytes(p.key));
    start_lookup(target, p.key, [this, p, done = std::move(done)](Lookup& l) mutable {
      if (stopping) return done(PutResult{0, "the DHT client is stopped"});
      std::vector<Endpoint> to;
      for (const auto& c : l.candidates)
        if (c.state == Lookup::State::answered && !c.token.empty() && to.size() < kClosest) to.push_back(c.node.endpoint);
      if (l.best && l.best->timestamp_us > p.timestamp_us) {
        return done(PutResult{0, "the DHT holds a newer packet for this key (seq " +
                                     std::to_string(l.best->timestamp_us) + ")"});
      }
      if (to.empty()) return done(PutResult{0, "no DHT node answered"});
      struct State {
        std::size_t waiting = 0, stored = 0;
        std::string error;
        std::function<void(PutResult)> done;
        bool finished = false;
      };
      auto st = std::make_shared<State>();
      st->waiting = to.size();
      st->done = std::move(done);
      auto op = next_op++;
      auto complete = [this, st, op] {
        if (st->finished) return;
        st->finished = true;
        aborts.erase(op);
        st->done(PutResult{st->stored, st->stored ? "" : st->error});
      };
      aborts[op] = complete;
      for (const auto& e : to) {
        std::string token;
        for (const auto& c : l.candidates)
          if (c.node.endpoint == e) token = c.token;
        auto u = to_udp(e);
        if (!u) {
          if (--st->waiting == 0) complete();
          continue;
        }
        query(
            *u, [&, token](std::string_view tid) { return krpc_put(tid, self, token, p, opt.read_only); },
            [st, complete](const KrpcMessage* m) {
              if (m && m->kind == KrpcMessage::Kind::response) ++st->stored;
              else if (m) st->error = "refused: " + std::to_string(m->error_code) + " " + m->error_message;
              else if (st->error.empty()) st->error = "no answer to put";
              if (--st->waiting == 0) complete();
            });
      }
    });
  }

  void shutdown() {
    stopping = true;
    auto pending_aborts = std::move(aborts);
    aborts.clear();
    for (auto& [op, abort] : pending_aborts) abort();
    pending.clear();
    boost::system::error_code ec;
    sock.close(ec);
    work.reset();
    io.stop();
  }
};

DhtClient::DhtClient(DhtOptions o) : impl_(std::make_shared<Impl>(std::move(o))) { impl_->start(); }

DhtClient::~DhtClient() noexcept {
  try {
    stop();
  } catch (...) {
  }
}

void DhtClient::stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [impl = impl_] { impl->shutdown(); });
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t DhtClient::port() const {
  boost::system::error_code ec;
  auto e = impl_->sock.local_endpoint(ec);
  return ec ? 0 : e.port();
}

PutResult DhtClient::put(const SignedPacket& p) {
  if (auto why = check_packet(p); !why.empty()) return PutResult{0, why};
  auto done = std::make_shared<std::promise<PutResult>>();
  auto result = done->get_future();
  {
    // Under the stop lock, so that the work is queued before stop()'s shutdown (which then ends it).
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stopped) return PutResult{0, "the DHT client is stopped"};
    asio::post(impl_->io, [impl = impl_, p, done] {
      if (impl->stopping) return done->set_value(PutResult{0, "the DHT client is stopped"});
      impl->start_put(p, [done](PutResult r) { done->set_value(std::move(r)); });
    });
  }
  return result.get();
}

std::optional<SignedPacket> DhtClient::get(const PublicKey& key) {
  auto done = std::make_shared<std::promise<std::optional<SignedPacket>>>();
  auto result = done->get_future();
  {
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stopped) return std::nullopt;
    asio::post(impl_->io, [impl = impl_, key, done] {
    if (impl->stopping) return done->set_value(std::nullopt);
    auto target = sha1_id(key_bytes(key));
    impl->start_lookup(target, key, [done](Impl::Lookup& l) { done->set_value(l.best); });
  });
  }
  return result.get();
}

DhtStats DhtClient::stats() const {
  DhtStats s;
  s.routing_table_size = impl_->table_size;
  s.queries_sent = impl_->queries_sent;
  s.responses = impl_->responses;
  s.messages_dropped = impl_->dropped;
  s.items_rejected = impl_->rejected;
  return s;
}

}  // namespace st::p2p::dht
