#include "p2p/node.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>

#include "crypto/blake3_range.hpp"
#include "p2p/catalog_batch.hpp"
#include "p2p/range_reply.hpp"
#include "model/errors.hpp"
#include "p2p/dht/dht_client.hpp"
#include "p2p/portmap/port_mapper.hpp"
#include "util/fold.hpp"
#include "util/host_port.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::p2p {

namespace {

constexpr std::size_t kCatalogBatchTracks = 20000;  // tracks per database transaction when pulling a catalogue

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Reply error_reply(std::string_view code, std::string_view message) {
  return Reply{ReplyKind::error, encode_protocol_error(code, message)};
}
Reply json_reply(const Message& m) { return Reply{ReplyKind::json, encode_message(m)}; }
Reply ack() { return Reply{ReplyKind::json, "{}"}; }

std::string host_port(const std::string& ip, std::uint16_t port) {
  return util::format_host_port(ip, port);
}

// A protocol error from the peer or an unusable reply: the peer answered, but not with what we asked for.
class PeerError : public TransportError {
 public:
  using TransportError::TransportError;
};

}  // namespace

Node::Node(NodeOptions options, model::P2pRepository& repo, model::CatalogRepository& catalog)
    : opts_(std::move(options)),
      repo_(repo),
      catalog_(catalog),
      identity_(crypto::Identity::load_or_create(opts_.key_path)),
      blobs_(opts_.blobs_dir, opts_.cache_max_bytes, opts_.library_outboard_dir),
      replicator_(catalog, repo),
      friends_only_(opts_.friends_only) {
  if (opts_.devices) device_sync_ = std::make_unique<DeviceSyncer>(*opts_.devices, opts_.limits.max_frame);
  repo_.mark_all_offline();
  TlsTransportOptions to;
  to.bind_host = opts_.bind_host;
  to.bind_port = opts_.bind_port;
  to.limits = opts_.limits;
  transport_ = make_tls_transport(
      identity_, to,
      [this](const std::string& from, const std::string& ip, const std::string& payload) {
        return handle(from, ip, payload);
      },
      [this](const std::string& node) { return allowed(node); });
  for (const auto& s : opts_.seed_peers) {
    auto a = parse_peer_address(s);
    auto bare = crypto::parse_node_id(s);
    if (!a && !(bare && crypto::node_id_of(*bare) == util::to_lower(s))) {
      spdlog::warn("p2p: ignoring seed peer '{}' (expected NodeId or NodeId@host:port)", s);
      continue;
    }
    std::string id = a ? a->node_id : util::to_lower(s);
    if (id == node_id() || !allowed(id)) continue;
    if (a) {
      book_.add(id, host_port(a->host, a->port), AddressSource::configured);
      repo_.add_peer(id, host_port(a->host, a->port));
    } else if (!repo_.find_peer(id)) {
      repo_.add_peer(id, "");  // found through its records, the DHT or a rendezvous
    }
  }
  for (const auto& p : repo_.list_peers()) wanted_.insert(p.node_id);  // start-up refresh of every known peer
  spdlog::info("p2p: node {} listening on {}:{}", node_id(), opts_.bind_host, port());
  replicator_.on_cover_wanted([this](const std::string& album, const std::string& cover, const std::string& from) {
    want_cover(album, cover, from);
  });
  start_reach();
  maintenance_ = std::thread([this] { maintenance(); });
  health_ = std::thread([this] { health_loop(); });
  if (opts_.lan_discovery) start_lan();
}

Node::~Node() { stop(); }

bool Node::policy_allows(const std::string& node) const {
  if (!sharing_on_.load()) return false;
  return !friends_only_.load() || opts_.friends.count(node) > 0;
}

void Node::set_policy(bool enabled, bool friends_only) {
  sharing_on_ = enabled;
  friends_only_ = friends_only;
  spdlog::info("p2p: sharing {}{}", enabled ? "on" : "off", enabled && friends_only ? " (friends only)" : "");
  try {
    for (const auto& p : repo_.list_peers())
      if (!policy_allows(p.node_id) && transport_->connected(p.node_id)) transport_->disconnect(p.node_id);
  } catch (const std::exception& e) {
    spdlog::warn("p2p: cannot close the links no longer allowed: {}", e.what());
  }
}

bool Node::allowed(const std::string& node) {
  if (!policy_allows(node)) return false;
  try {
    return !repo_.is_blocked(node);
  } catch (const std::exception& e) {
    spdlog::warn("p2p: cannot check whether {} is blocked: {}", node.substr(0, 8), e.what());
    return false;
  }
}

void Node::stop() {
  {
    std::lock_guard l(mu_);
    if (stopping_ && !maintenance_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (lan_) lan_->stop();
  transport_->stop();  // fails every call in flight, so the threads below end promptly
  interrupt_reach();   // so do DHT lookups and ICE attempts (a maintenance call may wait on one)
  if (maintenance_.joinable()) maintenance_.join();
  if (health_.joinable()) health_.join();
  if (resync_thread_.joinable()) resync_thread_.join();
  stop_reach();
  std::unique_lock l(mu_);
  cv_.wait(l, [this] { return download_threads_ == 0; });
}

// --- answering peers ---

Reply Node::handle(const std::string& from, const std::string& ip, const std::string& payload) {
  // Checked per request too: a link made before the policy changed must not be served meanwhile.
  if (!policy_allows(from)) return error_reply("refused", "sharing is off or limited to friends");
  if (device_sync_ && is_device_sync(payload)) {
    try {
      return Reply{ReplyKind::json, device_sync_->answer(from, payload)};
    } catch (const DeviceSyncRefused& e) {
      return error_reply(e.code(), e.what());
    }
  }
  DecodeLimits lim;
  lim.max_bytes = opts_.limits.max_frame;
  auto d = decode_message(payload, lim);
  if (!d.message) return error_reply("bad_message", d.error);
  return std::visit(
      Overloaded{
          [&](const Ping& p) -> Reply {
            // What we saw is a candidate, never a replacement for the address that works.
            std::optional<std::string> addr;
            if (p.listen_port) addr = host_port(ip, *p.listen_port);
            auto known = repo_.find_peer(from);
            if (!known) {
              // Unknown: answered, and contacted back, but kept in memory only until that succeeds (any
              // number of throwaway keys must not fill the peer table, the address book or the memory).
              remember_newcomer(from, addr);
              want_contact(from);
              return json_reply(Pong{node_id(), local_track_count(), opts_.version,
                                     ip, opts_.reach.rendezvous});
            }
            if (addr) book_.add(from, *addr, AddressSource::observed);
            repo_.peer_seen(from, std::nullopt, -1, known->address ? std::nullopt : addr);
            // Back after a while: pull its catalogue too, so sync runs both ways.
            if (!known->is_online) {
              want_contact(from);
              std::lock_guard l(mu_);
              bloom_sent_.erase(from);  // it may have restarted and lost our filter
            }
            return json_reply(Pong{node_id(), local_track_count(), opts_.version, ip,
                                   opts_.reach.rendezvous});
          },
          [&](const RequestCatalog& r) { return answer_catalog(r); },
          [&](const FetchTrack& f) { return answer_fetch(f); },
          [&](const AnnounceTrack& a) -> Reply {
            if (auto no = refuse_push(from, 1)) return std::move(*no);
            replicator_.upsert(from, a.track);
            return ack();
          },
          [&](const CatalogSync& c) -> Reply {
            if (auto no = refuse_push(from, c.tracks.size())) return std::move(*no);
            replicator_.upsert_page(from, c.tracks);
            return ack();
          },
          [&](const CatalogDelta& c) -> Reply {
            if (auto no = refuse_push(from, c.tracks.size() + c.removed.size())) return std::move(*no);
            replicator_.upsert_page(from, c.tracks);
            for (const auto& h : c.removed) replicator_.remove(from, h);
            spdlog::info("p2p: applied {} tracks and {} removals pushed by {}", c.tracks.size(), c.removed.size(),
                         from.substr(0, 8));
            return ack();
          },
          [&](const PeerExchange& px) -> Reply {
            learn_peers(from, scope_of_ip(ip), px);
            return json_reply(make_pex(from, scope_of_ip(ip)));
          },
          [&](const Signal& sg) { return handle_signal(from, sg, payload); },
          [&](const DialBack& db) { return answer_dial_back(from, ip, db); },
          [&](const DialBackResult&) { return error_reply("unexpected", "DialBackResult is a reply, not a request"); },
          [&](const SearchQuery& q) -> Reply {
            ++searches_answered_;
            spdlog::info("p2p: answering a search from {}", from.substr(0, 8));
            SearchResults out;
            out.request_id = q.request_id;
            auto limit = std::clamp<std::uint32_t>(q.limit, 1, 100);
            auto hits = catalog_.search(util::search_words(q.query), model::Page{1, limit});
            for (std::size_t i = 0; i < hits.tracks.size(); ++i) {
              const auto& t = hits.tracks[i];
              if (!t.content_hash || t.file_path.rfind("p2p://", 0) == 0) continue;
              SearchResultItem it{*t.content_hash, t.title,   t.artist_name, t.album_title, t.duration_secs,
                                  t.format,        t.genre,   t.year,        t.bitrate,     node_id(),
                                  t.musicbrainz_id, 1.0 - static_cast<double>(i) / static_cast<double>(hits.tracks.size())};
              out.results.push_back(std::move(it));
            }
            out.total = out.results.size();
            return json_reply(out);
          },
          [&](const BloomExchange& b) -> Reply {
            if (!repo_.find_peer(from)) return error_reply("not_linked", "not a peer of ours yet");
            if (auto why = search_index_.set_peer(from, b.bloom)) return error_reply("bad_message", "bloom: " + *why);
            spdlog::debug("p2p: Bloom filter from {} ({} bits)", from.substr(0, 8), b.bloom.bitmap_bits);
            return ack();
          },
          [&](const Pong&) { return error_reply("unexpected", "Pong is a reply, not a request"); },
          [&](const SearchResults&) { return error_reply("unexpected", "SearchResults is a reply, not a request"); },
      },
      *d.message);
}

std::optional<Reply> Node::refuse_push(const std::string& from, std::size_t n) {
  // Only peers push (their changes come by pulls otherwise, at our pace); a few pages a minute at most.
  if (!repo_.find_peer(from)) return error_reply("not_linked", "not a peer of ours yet");
  if (!push_rate_.allow(from, static_cast<double>(n))) {
    spdlog::info("p2p: {} pushed more than {} changes a minute: refused (pulled later)", from.substr(0, 8),
                 opts_.push_tracks_per_minute);
    return error_reply("rate_limited", "too many catalogue changes pushed; they are pulled at the next sync");
  }
  if (repo_.remote_track_count(from) >= opts_.max_tracks_per_peer)
    return error_reply("quota", "this node keeps no more tracks from you");
  return std::nullopt;
}

void Node::remember_newcomer(const std::string& node, std::optional<std::string> address) {
  std::lock_guard l(mu_);
  auto now = std::chrono::steady_clock::now();
  if (!newcomers_.count(node) && newcomers_.size() >= std::max<std::size_t>(opts_.pending_peers, 1)) {
    auto oldest = std::min_element(newcomers_.begin(), newcomers_.end(),
                                   [](const auto& a, const auto& b) { return a.second.seen < b.second.seen; });
    newcomers_.erase(oldest);
  }
  auto& n = newcomers_[node];
  if (address) n.address = std::move(address);
  n.seen = now;
}

bool Node::admit_newcomer(const std::string& node, const Pong& pong) {
  std::optional<std::string> address;
  {
    std::lock_guard l(mu_);
    auto it = newcomers_.find(node);
    if (it == newcomers_.end()) return false;  // dropped meanwhile (more recent ones came)
    address = it->second.address;
    newcomers_.erase(it);
  }
  if (repo_.list_peers().size() >= opts_.max_peers) {
    spdlog::info("p2p: {} not kept as a peer: this node has {} already (P2P_MAX_PEERS)", node.substr(0, 8),
                 opts_.max_peers);
    return false;
  }
  if (address) book_.add(node, *address, AddressSource::observed);
  repo_.peer_seen(node, pong.version, static_cast<std::int64_t>(pong.track_count), address);
  spdlog::info("p2p: {} linked to us and answered: now a peer", node.substr(0, 8));
  return true;
}

Reply Node::answer_catalog(const RequestCatalog& r) {
  std::int64_t limit = r.limit;
  for (;;) {
    auto page = repo_.changes_since(static_cast<std::int64_t>(r.since_cursor), limit);
    CatalogDelta d;
    d.since = util::to_rfc3339(util::now_micros());
    d.cursor = r.since_cursor;
    d.next_cursor = static_cast<std::uint64_t>(page.next_cursor);
    d.has_more = page.has_more;
    for (const auto& c : page.changes) {
      if (c.track) d.tracks.push_back(Replicator::announce(*c.track, c.album_artist_name, node_id()));
      else d.removed.push_back(c.removed_hash);
    }
    auto text = encode_message(d);
    // Pages stay well under the frame limit even with very long titles: fewer entries per page.
    if (text.size() <= opts_.limits.max_frame / 2 || limit == 1) return Reply{ReplyKind::json, std::move(text)};
    limit = std::max<std::int64_t>(1, limit / 4);
  }
}

Reply Node::answer_fetch(const FetchTrack& f) {
  std::optional<std::string> path = blobs_.cached(f.hash);
  if (!path) {
    if (auto lb = repo_.local_blob(f.hash)) path = lb->path;
  }
  if (!path) path = cover_file(f.hash);  // album covers are shared by hash too
  if (!path) return error_reply("not_found", "blob not available here");
  std::error_code ec;
  auto size = std::filesystem::file_size(*path, ec);
  if (ec) return error_reply("not_found", "blob not available here");
  auto groups = crypto::blake3_group_count(size);
  auto first = f.offset / crypto::kBlake3GroupLen;
  if (first >= groups) return error_reply("bad_range", "offset beyond the end of the blob");
  auto want = std::min<std::uint64_t>(f.length.value_or(kRangeGroups * crypto::kBlake3GroupLen),
                                      kRangeGroups * crypto::kBlake3GroupLen);
  auto last_byte = f.offset + std::max<std::uint64_t>(want, 1) - 1;
  auto end = std::min(groups, last_byte / crypto::kBlake3GroupLen + 1);
  end = std::min(end, first + kRangeGroups);
  auto outboard = blobs_.outboard(f.hash, *path);
  if (!outboard) return error_reply("unavailable", "blob changed on disk");
  bool ok = false;
  auto proof = crypto::blake3_range_proof(outboard->data(), outboard->size(), size, first, end, ok);
  if (!ok) return error_reply("unavailable", "outboard does not match the blob");
  auto len = crypto::blake3_range_bytes(size, first, end);
  ++ranges_served_;
  auto head = range_reply_head(size, first, end, proof);
  Reply out{ReplyKind::binary, {}, Bytes(head.size() + len)};  // (the range is read over it: not zeroed first)
  std::memcpy(out.binary.data(), head.data(), head.size());
  char* data = out.binary.data() + head.size();
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error_reply("not_found", "blob not available here");
  std::size_t done = 0;
  while (done < len) {
    auto n = ::pread(fd, data + done, len - done, static_cast<off_t>(first * crypto::kBlake3GroupLen + done));
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (done != len) return error_reply("unavailable", "blob shorter than expected");
  return out;
}

// --- asking peers ---

Reply Node::call_raw(const std::string& node, const std::string& payload, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) timeout = opts_.request_timeout;
  if (!transport_->connected(node) && !reach(node, std::min(timeout, std::chrono::milliseconds(30000)))) {
    std::lock_guard l(reach_mu_);
    auto it = unreachable_.find(node);
    throw TransportError(it != unreachable_.end() ? it->second : "not reachable");
  }
  return transport_->request_connected(node, payload, timeout);
}

Message Node::call(const std::string& node, const Message& m, std::chrono::milliseconds timeout) {
  auto r = call_raw(node, encode_message(m), timeout);
  if (r.kind == ReplyKind::error) {
    auto e = decode_protocol_error(r.payload);
    throw PeerError("peer answered " + (e ? e->code + ": " + e->message : std::string("an error")));
  }
  if (r.kind != ReplyKind::json) throw PeerError("peer sent binary data instead of a message");
  DecodeLimits lim;
  lim.max_bytes = opts_.limits.max_frame;
  auto d = decode_message(r.payload, lim);
  if (!d.message) throw PeerError("peer sent a bad reply: " + d.error);
  return std::move(*d.message);
}

Pong Node::ping_peer(const std::string& node) {
  auto m = call(node, Ping{port()});
  auto* pong = std::get_if<Pong>(&m);
  if (!pong) throw PeerError(std::string("expected Pong, got ") + message_name(m));
  if (pong->node_id != node) throw PeerError("Pong names another node");
  note_pong(node, *pong);
  return *pong;
}

void Node::pull_catalog(const std::string& node) {
  std::lock_guard pull(sync_mu_);  // a concurrent pull would move the cursor under this one
  auto start = repo_.find_peer(node);
  if (!start) return;
  auto cursor = static_cast<std::uint64_t>(start->sync_cursor);
  // Pages are applied several at a time (catalog_batch.hpp); the cursor is saved once they are. A batch is
  // applied on a thread of its own while the next one is fetched (the peer prepares pages while we write),
  // in two steps (Replicator::settle_tracks, then record_copies with the removals and the cursor): the next
  // batch's tracks are settled while this one's copies are recorded, both steps in batch order. A batch with
  // removals is applied whole before the next one starts (a removed track may come back in the next), and
  // so is every batch when the database has one writer (SQLite: the steps would only take turns, emptying
  // each other's page cache).
  CatalogBatch batch(kCatalogBatchTracks);
  std::uint64_t batch_end = cursor;
  double fetching_ms = 0;
  int pages_in_batch = 0;
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::future<void> applying;           // the last batch, both steps (its destructor waits for it and those before)
  std::shared_future<void> settled;     // the last batch's tracks
  bool removing = false;                // the last batch had removals
  const bool overlap = repo_.writes_in_parallel();
  auto applied = [&] {
    if (applying.valid()) applying.get();  // rethrows what applying a batch threw
  };
  auto apply = [&](std::vector<std::string> removed) {
    if (removing || !overlap || (applying.valid() && applying.wait_for(std::chrono::seconds(0)) == std::future_status::ready))
      applied();
    if (settled.valid()) settled.get();  // rethrows what settling the previous batch's tracks threw
    auto tracks = batch.take();
    if (tracks.empty() && removed.empty() && batch_end <= static_cast<std::uint64_t>(start->sync_cursor)) return;
    removing = !removed.empty();
    std::promise<void> tracks_done;
    settled = tracks_done.get_future().share();
    applying = std::async(std::launch::async, [this, &node, tracks = std::move(tracks), removed = std::move(removed),
                                               end = batch_end, pages = pages_in_batch, fetched = fetching_ms,
                                               saved = start->sync_cursor, ms, before = std::move(applying),
                                               tracks_done = std::move(tracks_done)]() mutable {
      auto t1 = std::chrono::steady_clock::now();
      Replicator::SettledPage page;
      try {
        if (!tracks.empty()) page = replicator_.settle_tracks(node, tracks);
        tracks_done.set_value();
      } catch (...) {
        tracks_done.set_exception(std::current_exception());
        if (before.valid()) before.wait();
        throw;
      }
      if (before.valid()) before.get();  // the previous batch's copies first; rethrows what it threw
      if (!tracks.empty()) replicator_.record_copies(node, page);
      for (const auto& h : removed) replicator_.remove(node, h);
      if (!tracks.empty() || !removed.empty())  // (once the batch can be played: bench/p2p.sh reads it)
        spdlog::info("p2p: applied {} tracks and {} removals from {} (cursor {}; {} pages in {:.0f} ms, applying {:.0f} ms)",
                     tracks.size(), removed.size(), node.substr(0, 8), end, pages, fetched,
                     ms(t1, std::chrono::steady_clock::now()));
      if (end > static_cast<std::uint64_t>(saved)) repo_.set_sync_cursor(node, static_cast<std::int64_t>(end));
    });
    fetching_ms = 0;
    pages_in_batch = 0;
  };
  // Counting the peer's copies on every page would make a large catalogue's sync quadratic: counted once,
  // then again only when what was taken since could reach the quota.
  auto counted = repo_.remote_track_count(node);
  std::int64_t taken = 0;
  for (int pages = 0; pages < 100000; ++pages) {
    if (!repo_.find_peer(node)) return;  // removed meanwhile
    if (counted + taken >= opts_.max_tracks_per_peer) {
      apply({});
      applied();
      counted = repo_.remote_track_count(node);
      taken = 0;
      if (counted >= opts_.max_tracks_per_peer) {
        spdlog::warn("p2p: {} offers more than {} tracks: no more are taken (P2P_MAX_TRACKS_PER_PEER)",
                     node.substr(0, 8), opts_.max_tracks_per_peer);
        return;
      }
    }
    auto t0 = std::chrono::steady_clock::now();
    auto m = call(node, RequestCatalog{cursor, 500});
    fetching_ms += ms(t0, std::chrono::steady_clock::now());
    ++pages_in_batch;
    auto* d = std::get_if<CatalogDelta>(&m);
    if (!d) throw PeerError(std::string("expected CatalogDelta, got ") + message_name(m));
    if (!batch.accepts(d->tracks)) apply({});
    taken += static_cast<std::int64_t>(d->tracks.size());
    batch.add(std::move(d->tracks));
    if (d->next_cursor > batch_end) batch_end = d->next_cursor;
    if (!d->removed.empty() || batch.full() || !d->has_more) apply(std::move(d->removed));
    if (!d->has_more) return applied();
    if (d->next_cursor <= cursor) throw PeerError("catalogue cursor did not advance");
    cursor = d->next_cursor;
    std::lock_guard l(mu_);
    if (stopping_) return;  // what is not applied yet is pulled again next time
  }
}

bool Node::contact(const std::string& node) {
  auto now = std::chrono::steady_clock::now();
  bool newcomer = false;
  {
    std::lock_guard l(mu_);
    newcomer = newcomers_.count(node) > 0;
  }
  try {
    auto pong = ping_peer(node);
    if (newcomer && !repo_.find_peer(node) && !admit_newcomer(node, pong)) return false;
    repo_.peer_seen(node, pong.version, static_cast<std::int64_t>(pong.track_count), std::nullopt);
    pull_catalog(node);
    send_bloom(node, false);
    std::lock_guard l(mu_);
    next_try_[node] = now + opts_.sync_interval;
    return true;
  } catch (const std::exception& e) {
    if (newcomer && !repo_.find_peer(node)) {  // one chance: it may link to us again
      std::lock_guard l(mu_);
      newcomers_.erase(node);
      spdlog::info("p2p: {} linked to us but did not answer: not kept ({})", node.substr(0, 8), e.what());
      return false;
    }
    retry_later(node, e.what());
    return false;
  }
}

void Node::retry_later(const std::string& node, const std::string& why) {
  auto now = std::chrono::steady_clock::now();
  repo_.peer_failed(node);
  auto rec = repo_.find_peer(node);
  int failures = rec ? std::min(rec->failures, 16) : 1;
  auto delay = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(500LL << failures), opts_.max_backoff);
  spdlog::info("p2p: peer {} unreachable ({}); next try in {} ms", node.substr(0, 8), why, delay.count());
  std::lock_guard l(mu_);
  next_try_[node] = now + delay;
}

void Node::want_contact(const std::string& node) {
  {
    std::lock_guard l(mu_);
    wanted_.insert(node);
  }
  cv_.notify_all();
}

void Node::maintenance() {
  std::unique_lock l(mu_);
  while (!stopping_) {
    std::vector<std::string> due;
    auto now = std::chrono::steady_clock::now();
    l.unlock();
    std::vector<model::PeerRecord> peers;
    try {
      peers = repo_.list_peers();
    } catch (const std::exception& e) {
      spdlog::warn("p2p: cannot read the peer table: {}", e.what());
    }
    l.lock();
    for (const auto& p : peers) {
      auto it = next_try_.find(p.node_id);
      bool wanted = wanted_.erase(p.node_id) > 0;
      if (wanted || it == next_try_.end() || now >= it->second) due.push_back(p.node_id);
    }
    for (const auto& n : wanted_)
      if (newcomers_.count(n)) due.push_back(n);  // unknown nodes that linked to us: contacted once
    wanted_.clear();  // wishes for peers not in the table (removed meanwhile)
    l.unlock();
    try {
      push_changes();
    } catch (const std::exception& e) {
      spdlog::warn("p2p: cannot push our changes: {}", e.what());
    }
    try {
      if (search_index_.refresh(repo_, std::chrono::seconds(2))) broadcast_bloom();
    } catch (const std::exception& e) {
      spdlog::warn("p2p: cannot rebuild the search filter: {}", e.what());
    }
    try {
      exchange_peers();
      verify_learned();
      records_.save();
      book_.save();
    } catch (const std::exception& e) {
      spdlog::warn("p2p: peer exchange failed: {}", e.what());
    }
    for (const auto& node : due) {
      {
        std::lock_guard g(mu_);
        if (stopping_) break;
      }
      try {
        if (!allowed(node)) {
          transport_->disconnect(node);
          continue;
        }
        if (!transport_->connected(node)) {
          {
            std::lock_guard g(mu_);
            if (newcomers_.erase(node) > 0) continue;  // an unknown node that left: not sought
          }
          // Not linked: find a way in the background (its end asks for a contact), never stalling this loop.
          if (!reach(node, std::chrono::milliseconds(0))) continue;
        }
        contact(node);
      } catch (const std::exception& e) {
        spdlog::warn("p2p: contact with {} failed: {}", node.substr(0, 8), e.what());
      }
    }
    if (device_sync_ && std::chrono::steady_clock::now() >= next_device_sync_) {
      next_device_sync_ = std::chrono::steady_clock::now() + opts_.sync_interval;
      try {
        sync_devices({});
      } catch (const std::exception& e) {
        spdlog::warn("p2p: device sync failed: {}", e.what());
      }
    }
    l.lock();
    cv_.wait_for(l, std::chrono::seconds(1), [this] { return stopping_ || !wanted_.empty(); });
  }
}

void Node::push_changes() {
  auto latest = repo_.latest_change();
  if (pushed_change_ < 0 || latest < pushed_change_) {  // at start peers pull what they missed
    pushed_change_ = latest;
    return;
  }
  if (latest == pushed_change_) return;
  auto reply = answer_catalog(RequestCatalog{static_cast<std::uint64_t>(pushed_change_), 500});
  pushed_change_ = std::min(latest, pushed_change_ + 500);
  DecodeLimits lim;
  lim.max_bytes = opts_.limits.max_frame;
  auto page = decode_message(reply.payload, lim);
  if (auto* d = page.message ? std::get_if<CatalogDelta>(&*page.message) : nullptr) {
    pushed_change_ = static_cast<std::int64_t>(d->next_cursor);
    if (d->tracks.empty() && d->removed.empty()) return;
  }
  for (const auto& p : repo_.list_peers()) {
    if (!p.is_online) continue;
    try {
      auto r = call_raw(p.node_id, reply.payload);
      if (r.kind == ReplyKind::error) spdlog::debug("p2p: {} refused our changes", p.node_id.substr(0, 8));
    } catch (const std::exception& e) {
      spdlog::debug("p2p: pushing changes to {} failed: {}", p.node_id.substr(0, 8), e.what());
    }
  }
}

std::uint64_t Node::local_track_count() {
  // Every change to the tracks we offer moves the catalogue log, so its head says when to count again.
  auto head = repo_.latest_change();
  {
    std::lock_guard l(count_mu_);
    if (counted_head_ == head) return counted_;
  }
  auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(0, repo_.local_track_count()));
  std::lock_guard l(count_mu_);
  counted_head_ = head;
  counted_ = n;
  return n;
}

void Node::strike(const std::string& node, const std::string& why) {
  int n = repo_.strike_peer(node);
  spdlog::warn("p2p: peer {} sent bad data ({}); strike {}", node.substr(0, 8), why, n);
  if (n >= opts_.strikes_before_block) {
    spdlog::warn("p2p: blocking peer {} after {} strikes", node.substr(0, 8), n);
    repo_.block(node, "sent data that failed BLAKE3 verification");
    transport_->disconnect(node);
  }
}

// Fetching blobs (download, materialize, open_progressive): node_fetch.cpp. Node::search, send_bloom and
// broadcast_bloom: node_search.cpp.

// --- the admin surface ---

library::P2pStatus Node::status() {
  library::P2pStatus s;
  s.node_id = node_id();
  s.port = port();
  for (const auto& p : repo_.list_peers()) {
    ++s.peer_count;
    if (p.is_online) ++s.online_peer_count;
  }
  s.connections = transport_->connection_count();
  s.local_track_count = static_cast<std::int64_t>(local_track_count());
  s.cache_bytes = blobs_.used_bytes();
  s.cache_max_bytes = blobs_.max_bytes();
  s.searches_answered = searches_answered_;
  s.ranges_served = ranges_served_;
  s.searches_sent = searches_sent_;
  s.search_peers_asked = search_peers_asked_;
  s.search_peers_skipped = search_peers_skipped_;
  s.peer_filters = search_index_.peer_filter_count();
  s.bloom_terms = search_index_.own_terms();
  s.lan_discovery = lan_ != nullptr;
  s.mdns = lan_ && lan_->avahi();
  s.lan_announcements_sent = lan_ ? lan_->sent() : 0;
  s.lan_announcements_heard = lan_ ? lan_->heard() : 0;
  s.mdns_services_heard = lan_ ? lan_->mdns_heard() : 0;
  s.reach = reachability();
  return s;
}

std::vector<model::PeerRecord> Node::peers() { return repo_.list_peers(); }

model::PeerRecord Node::add_peer(std::string_view node_id_text, std::string_view address) {
  std::optional<PeerAddress> a;
  std::string id;
  auto id_part = node_id_text.substr(0, node_id_text.find('@'));
  auto key = crypto::parse_node_id(id_part);
  if (!key) model::throw_bad_request("Invalid node ID format: a NodeId is 64 hexadecimal characters");
  if (address.empty() && node_id_text.find('@') == std::string_view::npos) {
    id = crypto::node_id_of(*key);  // a NodeId alone: its address is found
  } else {
    a = address.empty() ? parse_peer_address(node_id_text)
                        : parse_peer_address(std::string(node_id_text) + "@" + std::string(address));
    if (!a) {
      auto at = node_id_text.find('@');
      auto addr = address.empty() ? (at == std::string_view::npos ? std::string_view{} : node_id_text.substr(at + 1))
                                  : address;
      std::string why;
      util::parse_host_port(util::trim(addr), &why);
      model::throw_bad_request("The peer address must be host:port or [IPv6]:port (NodeId@host:port), or give the "
                               "NodeId alone" + (why.empty() ? std::string() : ": " + why));
    }
    id = a->node_id;
  }
  if (id == node_id()) model::throw_bad_request("That is this node's own ID");
  if (repo_.is_blocked(id)) model::throw_conflict("This peer is blocked");
  if (friends_only_.load() && !opts_.friends.count(id))
    model::throw_conflict("Sharing is limited to friends (P2P_FRIENDS) and this peer is not one");
  if (a) {
    book_.add(id, host_port(a->host, a->port), AddressSource::configured);
    repo_.add_peer(id, host_port(a->host, a->port));
  } else if (!repo_.find_peer(id)) {
    repo_.add_peer(id, "");
  }
  {
    std::lock_guard l(mu_);
    next_try_.erase(id);
  }
  // Try for a while (the ladder goes on in the background past that), then say where it stands.
  if (reach(id, std::chrono::seconds(20))) {
    try {
      auto pong = ping_peer(id);
      repo_.peer_seen(id, pong.version, static_cast<std::int64_t>(pong.track_count), std::nullopt);
    } catch (const std::exception& e) {
      repo_.peer_failed(id);
      spdlog::info("p2p: added peer {} is not reachable yet: {}", id.substr(0, 8), e.what());
    }
  }
  want_contact(id);  // pull its catalogue in the background
  return *repo_.find_peer(id);
}

bool Node::remove_peer(std::string_view node) {
  std::string n(node);
  bool removed = repo_.remove_peer(n);
  transport_->disconnect(n);
  search_index_.forget(n);
  records_.forget(n);
  book_.forget(n);
  std::lock_guard l(mu_);
  next_try_.erase(n);
  bloom_sent_.erase(n);
  return removed;
}

library::P2pPingResult Node::ping(std::string_view node) {
  std::string n(node);
  if (!repo_.find_peer(n)) model::throw_not_found("Peer not found");
  try {
    auto pong = ping_peer(n);
    repo_.peer_seen(n, pong.version, static_cast<std::int64_t>(pong.track_count), std::nullopt);
    return {true, "pong received: node_id=" + pong.node_id + ", track_count=" + std::to_string(pong.track_count) +
                      ", version=" + pong.version.value_or("unknown")};
  } catch (const std::exception& e) {
    repo_.peer_failed(n);
    return {false, std::string("ping failed: ") + e.what()};
  }
}

std::vector<library::DeviceSyncResult> Node::sync_devices(std::string_view user_id) {
  if (!device_sync_) return {};
  return device_sync_->sync(
      [this](const std::string& node, const std::string& payload) {
        if (!allowed(node)) throw PeerError("the device is blocked or not a friend");
        return call_raw(node, payload);
      },
      user_id);
}

}  // namespace st::p2p
