// Reaching peers wherever they are (docs/p2p-protocol.md §12). A dial is a ladder that always ends in the
// same TLS link: the peer's known addresses (configured, last that worked, its records, what we saw), then
// its signed record on the Mainline DHT, then ICE (STUN/TURN) with the descriptions carried by a Signal
// through a peer both sides are linked to. Our own side: addresses are published only once a peer dialled
// them back; the P2P port is mapped on the router when it lets us; the record is republished on change
// and hourly.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <future>

#include "lib/ssl/digest.hpp"
#include "p2p/dht/dht_client.hpp"
#include "p2p/dht/pkarr.hpp"
#include "p2p/node.hpp"
#include "p2p/portmap/port_mapper.hpp"
#include "p2p/transport/ice/ice_session.hpp"
#include "util/host_port.hpp"
#include "util/time.hpp"

namespace st::p2p {

namespace {

constexpr std::chrono::milliseconds kDialTimeout{5000};
constexpr std::size_t kDialsPerRung = 3;         // addresses tried per rung (a stranger's list is not dialled whole)
constexpr std::size_t kSignalRoutes = 3;         // rendezvous peers tried per attempt
constexpr std::chrono::seconds kResolveCache{60};
constexpr std::chrono::seconds kProveEvery{600};
constexpr std::chrono::seconds kRepublishEvery{3600};
constexpr std::chrono::seconds kPublishRetry{30};
constexpr std::chrono::milliseconds kProbeTimeout{4000};
constexpr int kMaxIceAnswers = 2;                // offers answered at once
constexpr int kMaxSignalsInFlight = 2;           // forwarded at once by a rendezvous (each holds a handler thread)
constexpr std::size_t kMaxLadders = 8;           // peers being reached at once
constexpr std::size_t kMaxObserved = 64;

std::string with_port(const std::string& host, std::uint16_t port) {
  return util::format_host_port(host, port);
}

std::uint64_t now_s() { return static_cast<std::uint64_t>(util::now_seconds()); }

std::optional<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& hp) {
  auto p = util::parse_host_port(hp);
  if (!p) return std::nullopt;
  return std::make_pair(std::move(p->host), p->port);
}

Reply refuse(std::string_view code, std::string_view why) {
  return Reply{ReplyKind::error, encode_protocol_error(code, why)};
}

// A dialled address is worth trying from here: a literal of a scope that can work, or a name.
bool dialable(const std::string& address) {
  auto host = host_of(address);
  if (!host) return false;
  auto sc = scope_of_ip(*host);
  if (sc == AddressScope::invalid) return host->find_first_not_of("0123456789.:") != std::string::npos;  // a DNS name
  return sc != AddressScope::link_local && sc != AddressScope::reserved;
}

}  // namespace

// --- the ladder ---

void Node::spawn(std::function<void()> job) {
  {
    std::lock_guard l(reach_mu_);
    ++threads_running_;
  }
  std::thread([this, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::warn("p2p: background reach task failed: {}", e.what());
    }
    std::lock_guard l(reach_mu_);
    --threads_running_;
    reach_cv_.notify_all();
  }).detach();
}

bool Node::reach(const std::string& node, std::chrono::milliseconds wait) {
  if (transport_->connected(node)) return true;
  {
    std::lock_guard s(mu_);
    if (stopping_) return false;
  }
  std::shared_future<bool> f;
  std::shared_ptr<std::promise<bool>> started;  // set when this call starts the ladder
  {
    std::lock_guard l(reach_mu_);
    auto it = reaching_.find(node);
    if (it != reaching_.end()) {
      f = it->second;
    } else if (reaching_.size() >= kMaxLadders) {
      return false;  // the maintenance loop asks again
    } else {
      started = std::make_shared<std::promise<bool>>();
      f = started->get_future().share();
      reaching_[node] = f;
    }
  }
  if (started) {
    spawn([this, node, p = started] {
        bool ok = false;
        try {
          ok = run_ladder(node);
        } catch (const std::exception& e) {
          set_unreachable(node, e.what());
        }
        {
          std::lock_guard l(reach_mu_);
          reaching_.erase(node);
        }
        p->set_value(ok);
        if (ok) want_contact(node);
        else retry_later(node, "no way to reach it");
      });
  }
  if (wait.count() <= 0 || f.wait_for(wait) != std::future_status::ready) return false;
  return f.get();
}

void Node::set_unreachable(const std::string& node, std::string why) {
  if (!why.empty()) spdlog::info("p2p: peer {} not reachable: {}", node.substr(0, 8), why);
  std::lock_guard l(reach_mu_);
  if (why.empty()) unreachable_.erase(node);
  else unreachable_[node] = std::move(why);
}

bool Node::dial_candidates(const std::string& node, std::set<std::string>& tried, std::size_t max, std::string& why) {
  std::size_t n = 0;
  for (const auto& c : book_.candidates(node)) {
    if (n >= max) break;
    if (transport_->connected(node)) return true;  // it dialled us meanwhile
    if (!tried.insert(c.address).second || !dialable(c.address)) continue;
    auto a = parse_peer_address(node + "@" + c.address);
    if (!a) continue;
    ++n;
    try {
      auto r = transport_->request(*a, encode_message(Ping{port()}), kDialTimeout);
      if (r.kind != ReplyKind::json) throw TransportError("no Pong");
      auto d = decode_message(r.payload);
      auto* pong = d.message ? std::get_if<Pong>(&*d.message) : nullptr;
      if (!pong || pong->node_id != node) throw TransportError("no Pong from that node");
      book_.succeeded(node, c.address);
      auto known = repo_.find_peer(node);
      if (known && known->address != c.address) repo_.add_peer(node, c.address);  // the address in use now
      note_pong(node, *pong);
      return true;
    } catch (const std::exception& e) {
      book_.failed(node, c.address);
      why += (why.empty() ? "" : "; ") + c.address + " (" + source_name(c.source) + "): " + e.what();
    }
  }
  return false;
}

std::optional<dht::NodeRecord> Node::resolve(const std::string& node) {
  if (!dht_ && opts_.reach.pkarr_relays.empty()) return std::nullopt;
  {
    std::lock_guard l(reach_mu_);
    auto it = resolved_.find(node);
    if (it != resolved_.end() && std::chrono::steady_clock::now() - it->second.at < kResolveCache) {
      if (!it->second.record) return std::nullopt;
      return *it->second.record;
    }
  }
  auto key = dht::key_of_node_id(node);
  if (!key) return std::nullopt;
  ++dht_lookups_;
  std::shared_ptr<dht::NodeRecord> found;
  std::optional<std::string> dns;
  if (dht_) {
    if (auto packet = dht_->get(*key)) dns = packet->dns;
  }
  if (!dns) dns = get_from_relays(node);  // (UDP blocked, or the DHT lost it)
  if (dns) {
    std::string why;
    if (auto rec = dht::decode_node_record(*key, *dns, why)) {
      found = std::make_shared<dht::NodeRecord>(std::move(*rec));
      spdlog::info("p2p: DHT record of {}: {} addresses, {} rendezvous", node.substr(0, 8), found->addresses.size(),
                   found->rendezvous.size());
    } else {
      ++dht_rejected_;
      spdlog::info("p2p: record of {} refused: {}", node.substr(0, 8), why);
    }
  }
  std::lock_guard l(reach_mu_);
  if (resolved_.size() > 1024) resolved_.clear();
  resolved_[node] = Resolved{found, std::chrono::steady_clock::now()};
  if (!found) return std::nullopt;
  return *found;
}

// Peers that may forward a signal to `node`: the rendezvous its record names, peers that offer forwarding,
// then other peers we are linked to (one of them may be linked to it too). Only linked ones: a signal never
// starts a ladder of its own.
std::vector<std::string> Node::signal_routes(const std::string& node, const std::optional<dht::NodeRecord>& rec) {
  std::vector<std::string> out;
  auto add = [&](const std::string& via) {
    if (out.size() >= kSignalRoutes || via == node || via == node_id() || !allowed(via)) return;
    if (std::find(out.begin(), out.end(), via) != out.end() || !transport_->connected(via)) return;
    out.push_back(via);
  };
  if (rec)
    for (const auto& r : rec->rendezvous) add(r);
  std::set<std::string> capable;
  {
    std::lock_guard l(reach_mu_);
    capable = rendezvous_capable_;
  }
  for (const auto& r : capable) add(r);
  for (const auto& p : repo_.list_peers())
    if (p.is_online) add(p.node_id);
  return out;
}

bool Node::run_ladder(const std::string& node) {
  if (!allowed(node)) {
    set_unreachable(node, "blocked, or not a friend in friends mode");
    return false;
  }
  std::set<std::string> tried;
  std::string why;
  if (dial_candidates(node, tried, kDialsPerRung, why)) {
    set_unreachable(node, "");
    return true;
  }
  std::optional<dht::NodeRecord> rec;
  if (dht_ || !opts_.reach.pkarr_relays.empty()) {
    rec = resolve(node);
    if (rec) {
      std::vector<std::string> usable;
      for (const auto& a : rec->addresses)
        if (dialable(a)) usable.push_back(a);
      book_.replace_source(node, AddressSource::dht, usable);
      if (dial_candidates(node, tried, kDialsPerRung, why)) {
        set_unreachable(node, "");
        return true;
      }
    }
  }
  // ICE needs a STUN or TURN server to find a way through NATs; without one the node does not try (nor
  // send checks from every interface it has).
  bool ice = !opts_.reach.stun.empty() || !opts_.reach.turn.empty();
  auto routes = ice ? signal_routes(node, rec) : std::vector<std::string>{};
  std::string ice_why;
  for (const auto& via : routes) {
    std::string w;
    if (connect_ice(node, via, w)) {
      set_unreachable(node, "");
      return true;
    }
    ice_why += (ice_why.empty() ? "" : "; ") + std::string("through ") + via.substr(0, 8) + ": " + w;
  }
  // In words a user can act on.
  std::string reason;
  if (tried.empty() && !rec)
    reason = dht_ ? "no address known and no record of it on the DHT (is it running with P2P_DHT_DISCOVERY on?)"
                  : "no address known and the DHT is off (P2P_DHT_DISCOVERY=false): give its address";
  else if (!why.empty())
    reason = "its addresses did not answer (" + why + ")";
  else
    reason = "it publishes no address it can be dialled at (behind NAT)";
  if (!ice)
    reason += "; NAT traversal is off: set P2P_STUN_SERVERS (and P2P_TURN_SERVERS for symmetric NATs)";
  else if (routes.empty())
    reason += "; no rendezvous in common: both instances need a link to the same public instance (P2P_RENDEZVOUS=true "
              "there), or one of them a forwarded port";
  else
    reason += "; ICE failed (" + ice_why + ")" +
              (opts_.reach.turn.empty() ? ": behind symmetric NATs a TURN relay is needed (P2P_TURN_SERVERS)" : "");
  set_unreachable(node, reason);
  return false;
}

namespace {

ice::IceOptions ice_options(const ReachOptions& r, bool controlling, const std::string& self) {
  ice::IceOptions o;
  o.controlling = controlling;
  if (!r.stun.empty()) {
    if (auto hp = split_host_port(r.stun.front())) {
      o.stun_host = hp->first;
      o.stun_port = hp->second;
    }
  }
  for (const auto& t : r.turn) {
    ice::TurnServer ts{t.host, t.port, t.username, t.password};
    if (ts.username.empty() && !r.turn_secret.empty()) {  // TURN REST API: expiry:name, HMAC-SHA1 password
      ts.username = std::to_string(now_s() + 24 * 3600) + ":" + self.substr(0, 16);
      ts.password = lib::ssl::hmac_sha1_base64(r.turn_secret, ts.username);
    }
    if (!ts.username.empty()) o.turn.push_back(std::move(ts));
  }
  return o;
}

const char* path_label(const ice::PathInfo& p) { return p.kind == ice::PathKind::relayed ? "turn_relay" : "ice_direct"; }

}  // namespace

bool Node::connect_ice(const std::string& node, const std::string& via, std::string& why, bool direct_only) {
  if (stopping()) {  // (a session made after ice::shutdown() would start its loop again)
    why = "stopping";
    return false;
  }
  try {
    ice::IceSession session(ice_options(opts_.reach, true, node_id()));
    auto offer = sign_signal(identity_, node, "offer", ice::encode_description(session.local_description()), "", now_s());
    auto m = call(via, offer, std::chrono::seconds(25));
    auto* answer = std::get_if<Signal>(&m);
    if (!answer) throw TransportError(std::string("the rendezvous answered ") + message_name(m));
    if (auto bad = check_signal(*answer, now_s()); !bad.empty()) throw TransportError("bad answer: " + bad);
    if (answer->from != node || answer->to != node_id() || answer->kind != "answer" || answer->nonce != offer.nonce)
      throw TransportError("the answer is not from that node for this offer");
    std::string bad;
    auto remote = ice::decode_description(answer->description, bad);
    if (!remote) throw TransportError("bad ICE description: " + bad);
    session.set_remote(*remote);
    int fd = session.wait_connected();
    auto path = session.path();
    if (direct_only && path.kind == ice::PathKind::relayed) {
      ::close(fd);  // the answerer's handshake ends with it; the link in use stays
      why = "still relayed";
      return false;
    }
    auto ip = host_of(path.remote).value_or("");
    transport_->attach(fd, true, node, ip, path_label(path), std::chrono::seconds(10));
    spdlog::info("p2p: linked with {} over ICE ({}: {} {} -> {} {}), signalled through {}", node.substr(0, 8),
                 path_label(path), path.local_type, path.local, path.remote_type, path.remote, via.substr(0, 8));
    return true;
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
}

// A relayed link moves to a direct path when one appears: every path_upgrade_interval, the node with the
// lower NodeId of each relayed pair runs ICE again and keeps the new link only when it is direct (the link
// with the peer is then replaced; requests in flight on the old one fail and are retried as usual).
void Node::upgrade_relayed() {
  if (opts_.reach.path_upgrade_interval.count() <= 0) return;
  auto now = std::chrono::steady_clock::now();
  for (const auto& p : repo_.list_peers()) {
    if (!p.is_online || node_id() > p.node_id || transport_->path(p.node_id) != "turn_relay") continue;
    {
      std::lock_guard l(reach_mu_);
      auto& next = next_upgrade_[p.node_id];
      if (next == std::chrono::steady_clock::time_point{}) next = now + opts_.reach.path_upgrade_interval;
      if (now < next || upgrading_.count(p.node_id)) continue;
      next = now + opts_.reach.path_upgrade_interval;
      upgrading_.insert(p.node_id);
    }
    spawn([this, node = p.node_id] {
      std::string why = "no rendezvous in common";
      bool done = false;
      for (const auto& via : signal_routes(node, std::nullopt)) {
        why.clear();
        if ((done = connect_ice(node, via, why, true))) break;
      }
      spdlog::info("p2p: relayed link with {} {}", node.substr(0, 8), done ? "moved to a direct path" : "stays relayed (" + why + ")");
      std::lock_guard l(reach_mu_);
      upgrading_.erase(node);
    });
  }
}

// A Signal that reached us: an offer for us (answered with ours), or one we forward as a rendezvous.
Reply Node::handle_signal(const std::string& from, const Signal& s, const std::string& payload) {
  auto drop = [this](std::string_view code, std::string_view why) {
    ++signals_dropped_;
    return refuse(code, why);
  };
  if (auto bad = check_signal(s, now_s()); !bad.empty()) return drop("bad_signal", bad);
  if (s.to == node_id()) {
    if (s.kind != "offer") return drop("bad_signal", "only offers are sent to a node");
    return answer_offer(s);
  }
  // Forwarding: one hop, by its author, between nodes we admit, at a bounded rate.
  if (s.from != from) return drop("bad_signal", "a signal is forwarded one hop, from its author");
  if (s.kind != "offer") return drop("bad_signal", "only offers are forwarded");
  if (!allowed(s.to)) return drop("refused", "that node is not allowed here");
  if (!opts_.reach.rendezvous && !repo_.find_peer(s.from))
    return drop("refused", "this node forwards signals only for its peers (not a rendezvous)");
  if (!signal_rate_.allow(from)) return drop("busy", "too many signals: try again later");
  if (!transport_->connected(s.to)) return drop("not_linked", "this rendezvous has no link with that node");
  if (++signals_in_flight_ > kMaxSignalsInFlight) {
    --signals_in_flight_;
    return drop("busy", "too many signals in flight");
  }
  try {
    auto r = transport_->request_connected(s.to, payload, std::chrono::seconds(20));
    --signals_in_flight_;
    ++signals_forwarded_;
    return r;
  } catch (const std::exception& e) {
    --signals_in_flight_;
    return drop("unavailable", std::string("forwarding failed: ") + e.what());
  }
}

Reply Node::answer_offer(const Signal& s) {
  if (!allowed(s.from)) return refuse("refused", "not allowed to link with this node");
  if (!signal_nonces_.fresh(s.nonce, now_s())) {
    ++signals_dropped_;
    return refuse("bad_signal", "replayed offer");
  }
  if (stopping()) return refuse("unavailable", "this node is stopping");
  if (++ice_answering_ > kMaxIceAnswers) {
    --ice_answering_;
    return refuse("busy", "too many ICE attempts at once");
  }
  std::shared_ptr<ice::IceSession> session;
  Signal answer;
  try {
    std::string bad;
    auto remote = ice::decode_description(s.description, bad);
    if (!remote) {
      --ice_answering_;
      ++signals_dropped_;
      return refuse("bad_signal", "bad ICE description: " + bad);
    }
    session = std::make_shared<ice::IceSession>(ice_options(opts_.reach, false, node_id()));
    session->set_remote(*remote);
    answer = sign_signal(identity_, s.from, "answer", ice::encode_description(session->local_description()), s.nonce,
                         now_s());
  } catch (const std::exception& e) {
    --ice_answering_;
    return refuse("unavailable", std::string("ICE: ") + e.what());
  }
  auto peer = s.from;
  spawn([this, session, peer] {
    try {
      int fd = session->wait_connected();
      auto path = session->path();
      transport_->attach(fd, false, peer, host_of(path.remote).value_or(""), path_label(path), std::chrono::seconds(10));
      spdlog::info("p2p: linked with {} over ICE ({}), answering its offer", peer.substr(0, 8), path_label(path));
      if (!repo_.find_peer(peer) && allowed(peer)) repo_.add_peer(peer, "");
      set_unreachable(peer, "");
      want_contact(peer);
    } catch (const std::exception& e) {
      spdlog::info("p2p: ICE with {} failed: {}", peer.substr(0, 8), e.what());
    }
    --ice_answering_;
  });
  return Reply{ReplyKind::json, encode_message(answer)};
}

// --- our own addresses ---

void Node::note_pong(const std::string& node, const Pong& p) {
  std::lock_guard l(reach_mu_);
  auto observed = p.observed ? std::optional(util::canonical_ip(*p.observed)) : std::nullopt;  // one spelling
  if (observed && scope_of_ip(*observed) != AddressScope::invalid) {
    auto& was = observed_by_[node];
    if (was != *observed) ++prove_wanted_;
    was = *observed;
    if (observed_by_.size() > kMaxObserved) observed_by_.erase(observed_by_.begin());
  }
  if (p.rendezvous) rendezvous_capable_.insert(node);
  else rendezvous_capable_.erase(node);
}

Reply Node::answer_dial_back(const std::string& from, const std::string& ip, const DialBack& d) {
  if (!dial_back_rate_.allow(from)) return refuse("busy", "dial-back asked too often");
  if (++dial_backs_running_ > 2) {
    --dial_backs_running_;
    return refuse("busy", "too many dial-backs at once");
  }
  DialBackResult out;
  for (const auto& a : d.addresses) {
    auto hp = split_host_port(a);
    // Only the address the request came from: a dial-back never probes a third party.
    if (!hp || hp->first != ip) continue;
    if (transport_->probe(PeerAddress{from, hp->first, hp->second}, kProbeTimeout)) out.reached.push_back(a);
  }
  --dial_backs_running_;
  return Reply{ReplyKind::json, encode_message(out)};
}

bool Node::prove_addresses() {
  std::map<std::string, std::string> seen;  // peer -> the IP it sees us at
  {
    std::lock_guard l(reach_mu_);
    seen = observed_by_;
  }
  std::set<std::string> mine;
  for (const auto& a : advertised_addresses({}, opts_.bind_host, port())) mine.insert(a);
  if (portmap_) {
    if (auto m = portmap_->mapping()) mine.insert(with_port(m->external_ip, m->external_port));
  }
  for (const auto& [_, ip] : seen) mine.insert(with_port(ip, port()));
  std::vector<std::string> proven;
  std::set<std::string> tried;  // addresses a peer was asked to dial back, and answered for
  bool answered = false;
  std::size_t asked = 0;
  for (const auto& [peer, ip] : seen) {
    if (asked >= 3) break;
    if (!transport_->connected(peer)) continue;
    DialBack req;
    for (const auto& a : mine)
      if (host_of(a) == ip && req.addresses.size() < 4) req.addresses.push_back(a);
    if (req.addresses.empty()) continue;
    ++asked;
    try {
      auto m = call(peer, req, std::chrono::seconds(20));
      auto* r = std::get_if<DialBackResult>(&m);
      if (!r) continue;
      answered = true;
      tried.insert(req.addresses.begin(), req.addresses.end());
      for (const auto& a : r->reached)
        if (std::find(req.addresses.begin(), req.addresses.end(), a) != req.addresses.end() &&
            std::find(proven.begin(), proven.end(), a) == proven.end())
          proven.push_back(a);
    } catch (const std::exception& e) {
      spdlog::debug("p2p: dial-back through {} failed: {}", peer.substr(0, 8), e.what());
    }
  }
  if (!answered) return false;  // nobody to ask: keep what we had
  std::lock_guard l(reach_mu_);
  auto was_disproven = std::move(disproven_);
  disproven_.clear();
  for (const auto& a : tried)
    if (std::find(proven.begin(), proven.end(), a) == proven.end()) disproven_.insert(a);
  if (disproven_ != was_disproven && !disproven_.empty())  // (a firewall or NAT drops what peers dial)
    spdlog::info("p2p: addresses a peer could not dial back: {}", fmt::format("{}", fmt::join(disproven_, ", ")));
  if (proven != proven_) spdlog::info("p2p: addresses proven reachable: {}", proven.empty() ? "none" : fmt::format("{}", fmt::join(proven, ", ")));
  proven_ = std::move(proven);
  return true;
}

std::vector<std::string> Node::own_addresses_for(AddressScope peer) {
  std::vector<std::string> out;
  auto fits = [&](const std::string& a) {
    auto h = host_of(a);
    if (!h) return false;
    auto sc = scope_of_ip(*h);
    return sc == AddressScope::invalid ? true : scope_fits(sc, peer);  // a configured name fits anyone
  };
  for (const auto& a : opts_.advertise_addresses)  // the operator's word
    if (fits(a) && out.size() < kRecordMaxAddresses) out.push_back(a);
  // The router's word for its mapping stands until a peer fails to dial it back (a new node with no peer
  // yet is still found at its mapped port).
  std::optional<std::string> mapped;
  if (portmap_) {
    auto m = portmap_->mapping();
    if (m && !portmap_->status().double_nat) mapped = with_port(m->external_ip, m->external_port);
  }
  std::lock_guard l(reach_mu_);
  auto add = [&](const std::string& a) {
    if (fits(a) && out.size() < kRecordMaxAddresses && std::find(out.begin(), out.end(), a) == out.end())
      out.push_back(a);
  };
  for (const auto& a : proven_) add(a);
  if (mapped && !disproven_.count(*mapped)) add(*mapped);
  return out;
}

void Node::publish_record() {
  if (!dht_ && opts_.reach.pkarr_relays.empty()) return;
  auto now = std::chrono::steady_clock::now();
  dht::NodeRecord rec;
  rec.addresses = own_addresses_for(AddressScope::global);
  {
    std::lock_guard l(reach_mu_);
    for (const auto& r : rendezvous_capable_)
      if (rec.rendezvous.size() < 2 && transport_->connected(r)) rec.rendezvous.push_back(r);
  }
  for (const auto& t : opts_.reach.turn)
    if (rec.turn.size() < 2) rec.turn.push_back(with_port(t.host, t.port));
  auto key = crypto::parse_node_id(node_id());
  auto text = dht::encode_node_record(*key, rec);
  {
    std::lock_guard l(reach_mu_);
    if (text == published_text_ && now < next_publish_) return;
  }
  auto packet = dht::sign_packet(identity_, text, static_cast<std::uint64_t>(util::now_micros()));
  dht::PutResult r;
  if (dht_) r = dht_->put(packet);
  auto relays = put_on_relays(dht::relay_body(packet));
  std::lock_guard l(reach_mu_);
  last_relay_publishes_ = relays;
  if (r.stored > 0 || relays > 0) {
    published_text_ = text;
    last_publish_ = util::now_micros();
    last_publish_stored_ = r.stored;
    next_publish_ = now + kRepublishEvery;
    spdlog::info("p2p: record published ({} addresses, {} rendezvous; stored on {} DHT nodes, {} relays)",
                 rec.addresses.size(), rec.rendezvous.size(), r.stored, relays);
  } else {
    next_publish_ = now + kPublishRetry;
    spdlog::info("p2p: record not published: {}", r.error.empty() ? "no DHT node or relay stored it" : r.error);
  }
}

void Node::reach_loop() {
  std::unique_lock l(mu_);
  while (!stopping_) {
    l.unlock();
    auto now = std::chrono::steady_clock::now();
    bool prove = false;
    std::uint64_t wanted = 0;  // a change asked for while proving asks again
    {
      std::lock_guard g(reach_mu_);
      wanted = prove_wanted_;
      prove = wanted != proved_ || now >= next_prove_;
    }
    try {
      if (prove) {
        bool answered = prove_addresses();
        std::lock_guard g(reach_mu_);
        proved_ = wanted;
        next_prove_ = now + (answered ? kProveEvery : kPublishRetry);
      }
      publish_record();
      upgrade_relayed();
    } catch (const std::exception& e) {
      spdlog::warn("p2p: reachability upkeep failed: {}", e.what());
    }
    l.lock();
    cv_.wait_for(l, std::chrono::seconds(2), [this] { return stopping_; });
  }
}

void Node::start_reach() {
  const auto& r = opts_.reach;
  if (r.dht) {
    dht::DhtOptions o;
    o.bind_host = opts_.bind_host;
    o.bind_port = r.dht_port;
    o.bootstrap = r.dht_bootstrap;
    try {
      dht_ = std::make_unique<dht::DhtClient>(o);
      spdlog::info("p2p: DHT client on UDP port {} ({} bootstrap nodes)", dht_->port(), o.bootstrap.size());
    } catch (const std::exception& e) {
      spdlog::warn("p2p: DHT discovery off: {}", e.what());
    }
  }
  if (r.port_mapping) {
    portmap::PortMapOptions o;
    o.internal_port = port();
    o.allow_reserved_external = r.port_mapping_allow_reserved;
    portmap_ = std::make_unique<portmap::PortMapper>(o);
    portmap_->on_change([this](const std::optional<portmap::Mapping>&) {
      std::lock_guard l(reach_mu_);
      ++prove_wanted_;
    });
    portmap_->start();
  }
  reach_thread_ = std::thread([this] { reach_loop(); });
}

void Node::interrupt_reach() {
  if (dht_) dht_->stop();  // a lookup or publish in flight ends now
  ice::shutdown();         // so does an ICE attempt (gathering, checks), instead of running out its timeouts
}

void Node::stop_reach() {
  if (reach_thread_.joinable()) reach_thread_.join();
  {
    std::unique_lock l(reach_mu_);
    reach_cv_.wait(l, [this] { return threads_running_ == 0; });
  }
  if (portmap_) portmap_->stop();  // removes the mapping from the router
}

library::P2pReachability Node::reachability() {
  library::P2pReachability r;
  r.published_addresses = own_addresses_for(AddressScope::global);
  {
    std::lock_guard l(reach_mu_);
    r.proven_addresses = proven_;
    r.dht_last_publish = last_publish_;
    r.dht_last_publish_stored = last_publish_stored_;
    for (const auto& p : rendezvous_capable_) r.rendezvous_peers.push_back(p);
  }
  r.port_mapping_enabled = portmap_ != nullptr;
  if (portmap_) {
    auto st = portmap_->status();
    r.port_mapping_active = st.active;
    r.port_mapping_protocol = st.protocol;
    r.port_mapping_external = st.external;
    r.double_nat = st.double_nat;
    r.port_mapping_error = st.last_error;
  }
  r.dht_enabled = dht_ != nullptr;
  if (dht_) {
    auto st = dht_->stats();
    r.dht_routing_table_size = st.routing_table_size;
    r.dht_messages_dropped = st.messages_dropped;
    r.dht_records_rejected = st.items_rejected;
  }
  r.dht_records_rejected += dht_rejected_;  // (records from relays too)
  r.dht_lookups = dht_lookups_;
  r.pkarr_relays = opts_.reach.pkarr_relays;
  {
    std::lock_guard l(reach_mu_);
    r.relay_publishes = last_relay_publishes_;
  }
  r.rendezvous_offered = opts_.reach.rendezvous;
  r.stun_servers = opts_.reach.stun;
  for (const auto& t : opts_.reach.turn) r.turn_servers.push_back(with_port(t.host, t.port));
  r.signals_forwarded = signals_forwarded_;
  r.signals_dropped = signals_dropped_;
  return r;
}

library::PeerReach Node::peer_reach(std::string_view node_view) {
  std::string node(node_view);
  library::PeerReach out;
  out.path = transport_->path(node);
  {
    std::lock_guard l(reach_mu_);
    auto it = unreachable_.find(node);
    if (out.path.empty() && it != unreachable_.end()) out.reason = it->second;
  }
  for (const auto& c : book_.candidates(node)) out.candidates.push_back({c.address, source_name(c.source), c.last_ok});
  return out;
}

}  // namespace st::p2p
