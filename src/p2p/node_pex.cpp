// Peer exchange on the node. Every pex_interval (while a peer is online) we swap PeerExchange messages
// with up to 3 online peers, round robin; a peer may start one too. Each side offers its own freshly
// signed address record and the records it holds of its other allowed peers; it accepts a record only
// when its owner signed it, it is newer than the one held, and the owner is allowed (not blocked; a
// friend in friends mode). Unknown peers learned so are pinged (5 at a time) before they are added.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <optional>

#include "p2p/node.hpp"
#include "util/time.hpp"

namespace st::p2p {

namespace {

constexpr std::size_t kPexPeersPerRound = 3;
constexpr std::size_t kVerifyConcurrency = 5;
constexpr std::size_t kMaxPendingVerifications = 256;
constexpr std::chrono::milliseconds kVerifyTimeout{4000};
constexpr std::size_t kVerifyAddresses = 3;  // tried per record, so a round blocks the loop 12 s at most
constexpr std::chrono::milliseconds kPexTimeout{10000};

}  // namespace

// What a peer seen from `to_scope` may be told: our addresses proven (or configured) in a scope that fits
// its own, and the records of others whose every address fits it (a home's 10.x never reaches the internet).
PeerExchange Node::make_pex(const std::string& to, AddressScope to_scope) {
  PeerExchange px;
  px.peers.push_back(node_id());
  auto own = own_addresses_for(to_scope);
  if (!own.empty())
    px.records.push_back(sign_peer_record(identity_, std::move(own), static_cast<std::uint64_t>(util::now_seconds())));
  auto fits = [to_scope](const SignedPeerRecord& r) {
    return std::all_of(r.addresses.begin(), r.addresses.end(), [to_scope](const std::string& a) {
      auto h = host_of(a);
      auto sc = h ? scope_of_ip(*h) : AddressScope::invalid;
      return sc == AddressScope::invalid || scope_fits(sc, to_scope);  // (invalid: a DNS name)
    });
  };
  for (const auto& p : repo_.list_peers()) {
    if (p.node_id == to || !allowed(p.node_id)) continue;
    if (px.peers.size() >= 1000) break;
    px.peers.push_back(p.node_id);
    if (auto r = records_.find(p.node_id); r && fits(*r)) px.records.push_back(std::move(*r));
  }
  return px;
}

void Node::learn_peers(const std::string& from, AddressScope from_scope, const PeerExchange& px) {
  auto now = static_cast<std::uint64_t>(util::now_seconds());
  std::size_t refused = 0, learned = 0, over_quota = 0;
  for (const auto& r : px.records) {
    if (r.node_id == node_id()) continue;
    if (!allowed(r.node_id)) continue;  // blocked, or not a friend in friends mode: never taken
    if (auto why = check_peer_record(r, now); !why.empty()) {
      ++refused;
      spdlog::debug("p2p: record for {} from {} refused: {}", r.node_id.substr(0, 8), from.substr(0, 8), why);
      continue;
    }
    // The record is kept as signed (to be offered onwards); we only dial what fits where it came from.
    auto dial = dialable_learned_addresses(r.addresses, from_scope, opts_.pex_allow_local);
    if (dial.empty()) {
      ++refused;
      continue;
    }
    auto known = repo_.find_peer(r.node_id);
    if (known) {
      if (!records_.offer(r)) continue;  // not newer than what we hold
      ++learned;
      // Its owner says where it is now: more candidates, never a replacement for the address that works.
      book_.replace_source(r.node_id, AddressSource::record, dial);
      continue;
    }
    // Unknown: kept only once it answers (a peer cannot fill our book with nodes that do not exist), and
    // each peer gets a few of them pinged per round (throwaway keys must not make us dial at will).
    if (!pex_new_rate_.allow(from)) {
      ++over_quota;
      continue;
    }
    std::lock_guard l(mu_);
    auto it = to_verify_.find(r.node_id);
    if (it != to_verify_.end() ? it->second.timestamp < r.timestamp : to_verify_.size() < kMaxPendingVerifications) {
      to_verify_[r.node_id] = r;
      to_verify_dial_[r.node_id] = std::move(dial);
      ++learned;
    }
  }
  if (refused || learned || over_quota)
    spdlog::info("p2p: peer exchange with {}: {} new records, {} refused, {} over its quota", from.substr(0, 8), learned,
                 refused, over_quota);
}

void Node::exchange_peers() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_pex_) return;
  std::vector<std::string> online;
  for (const auto& p : repo_.list_peers())
    if (p.is_online && allowed(p.node_id)) online.push_back(p.node_id);
  if (online.empty()) return;  // the first round runs as soon as a peer is online
  next_pex_ = now + opts_.pex_interval;
  auto n = std::min(kPexPeersPerRound, online.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& node = online[(pex_next_ + i) % online.size()];
    // Its scope: that of the address we reach it at (global when we do not know: only global addresses go).
    auto scope = AddressScope::global;
    if (auto rec = repo_.find_peer(node); rec && rec->address)
      if (auto h = host_of(*rec->address)) scope = scope_of_ip(*h);
    if (scope == AddressScope::invalid) scope = AddressScope::global;
    try {
      auto m = call(node, make_pex(node, scope), kPexTimeout);
      if (auto* px = std::get_if<PeerExchange>(&m)) learn_peers(node, scope, *px);
    } catch (const std::exception& e) {
      spdlog::info("p2p: peer exchange with {} failed: {}", node.substr(0, 8), e.what());
    }
  }
  pex_next_ = (pex_next_ + n) % std::max<std::size_t>(online.size(), 1);
}

void Node::verify_learned() {
  std::vector<SignedPeerRecord> batch;
  std::map<std::string, std::vector<std::string>> dial;  // what we dial of a learned record (else all of it)
  {
    std::lock_guard l(mu_);
    while (!to_verify_.empty() && batch.size() < kVerifyConcurrency) {
      auto& rec = batch.emplace_back(std::move(to_verify_.begin()->second));
      if (auto d = to_verify_dial_.find(rec.node_id); d != to_verify_dial_.end()) {
        dial.emplace(rec.node_id, std::move(d->second));
        to_verify_dial_.erase(d);
      }
      to_verify_.erase(to_verify_.begin());
    }
  }
  if (batch.empty()) return;
  struct Verified {
    std::string address;
    Pong pong;
  };
  std::vector<std::future<std::optional<Verified>>> checks;
  for (const auto& rec : batch) {
    auto it = dial.find(rec.node_id);
    auto addresses = it != dial.end() ? it->second : rec.addresses;
    checks.push_back(std::async(std::launch::async, [this, rec, addresses]() -> std::optional<Verified> {
      for (std::size_t i = 0; i < addresses.size() && i < kVerifyAddresses; ++i) {
        const auto& addr = addresses[i];
        if (auto h = host_of(addr); h && scope_of_ip(*h) == AddressScope::link_local) continue;
        auto a = parse_peer_address(rec.node_id + "@" + addr);
        if (!a) continue;
        try {
          // The link pins the key: only the record's owner can answer.
          auto r = transport_->request(*a, encode_message(Ping{port()}), kVerifyTimeout);
          if (r.kind != ReplyKind::json) continue;
          auto d = decode_message(r.payload);
          auto* pong = d.message ? std::get_if<Pong>(&*d.message) : nullptr;
          if (pong && pong->node_id == rec.node_id) return Verified{addr, *pong};
        } catch (const std::exception& e) {
          spdlog::debug("p2p: learned peer {} not reachable at {}: {}", rec.node_id.substr(0, 8), addr, e.what());
        }
      }
      return std::nullopt;
    }));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto v = checks[i].get();
    const auto& node = batch[i].node_id;
    if (!v) {
      spdlog::info("p2p: learned peer {} did not answer; not added", node.substr(0, 8));
      continue;
    }
    if (!allowed(node) || repo_.find_peer(node)) continue;  // blocked or added meanwhile
    bool lan = batch[i].signature.empty();  // a LAN sighting, not a signed record
    if (!lan) records_.offer(batch[i]);
    auto it = dial.find(node);
    for (const auto& a : it != dial.end() ? it->second : batch[i].addresses)
      book_.add(node, a, lan ? AddressSource::lan : AddressSource::record);
    book_.succeeded(node, v->address);
    repo_.add_peer(node, v->address);
    repo_.peer_seen(node, v->pong.version, static_cast<std::int64_t>(v->pong.track_count), std::nullopt);
    spdlog::info("p2p: learned peer {} at {} {}", node.substr(0, 8), v->address,
                 batch[i].signature.empty() ? "on the LAN" : "through peer exchange");
    want_contact(node);
  }
}

}  // namespace st::p2p
