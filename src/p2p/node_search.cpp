// Distributed search on the node: our Bloom filter goes to peers after a link comes up, when it is
// rebuilt and every pex_interval; a search asks only the peers whose filter may match (and the peers that
// sent none yet: nothing rules them out), concurrently and within a timeout.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "p2p/node.hpp"
#include "util/uuid.hpp"

namespace st::p2p {

void Node::send_bloom(const std::string& node, bool force) {
  auto msg = search_index_.own_message();
  if (!msg) return;
  auto gen = search_index_.generation();
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard l(mu_);
    auto it = bloom_sent_.find(node);
    if (!force && it != bloom_sent_.end() && it->second.first == gen && now - it->second.second < opts_.pex_interval)
      return;
  }
  try {
    auto r = call_raw(node, *msg);
    if (r.kind == ReplyKind::error) {
      auto e = decode_protocol_error(r.payload);
      spdlog::info("p2p: {} refused our Bloom filter: {}", node.substr(0, 8), e ? e->code + ": " + e->message : "error");
    }
    std::lock_guard l(mu_);
    bloom_sent_[node] = {gen, now};  // refused (an older peer) counts as sent: asking again would not help
  } catch (const std::exception& e) {
    spdlog::debug("p2p: sending our Bloom filter to {} failed: {}", node.substr(0, 8), e.what());
  }
}

void Node::broadcast_bloom() {
  for (const auto& p : repo_.list_peers())
    if (p.is_online && allowed(p.node_id)) send_bloom(p.node_id, true);
}

std::vector<library::P2pSearchHit> Node::search(std::string_view query, std::size_t limit) {
  limit = std::clamp<std::size_t>(limit, 1, 100);
  // Peers whose filter matches first, then those without a filter, at most search_max_peers.
  std::vector<std::string> matching, unknown;
  std::uint64_t skipped = 0;
  for (const auto& p : repo_.list_peers()) {
    if (!p.is_online || !allowed(p.node_id)) continue;
    auto m = search_index_.may_match(p.node_id, query);
    if (!m) unknown.push_back(p.node_id);
    else if (*m) matching.push_back(p.node_id);
    else ++skipped;
  }
  matching.insert(matching.end(), unknown.begin(), unknown.end());
  if (matching.size() > opts_.search_max_peers) matching.resize(opts_.search_max_peers);
  ++searches_sent_;
  search_peers_asked_ += matching.size();
  search_peers_skipped_ += skipped;
  spdlog::info("p2p: search asks {} peers ({} skipped by their Bloom filter)", matching.size(), skipped);

  std::vector<std::pair<std::string, std::future<Message>>> asks;
  for (const auto& node : matching) {
    SearchQuery q{util::new_uuid(), std::string(query), static_cast<std::uint32_t>(limit)};
    asks.emplace_back(node, std::async(std::launch::async, [this, node, q] { return call(node, q, opts_.search_timeout); }));
  }
  std::vector<library::P2pSearchHit> hits;
  for (auto& [node, fut] : asks) {
    try {
      auto m = fut.get();
      auto* r = std::get_if<SearchResults>(&m);
      if (!r) continue;
      for (const auto& x : r->results) {
        if (!is_hash_hex(x.hash)) continue;
        // The answering peer is the source, whatever the item says.
        hits.push_back({x.hash, x.title, x.artist_name, x.album_title, x.duration_secs, x.format, x.genre, x.year,
                        x.bitrate, node, x.musicbrainz_id, x.relevance});
      }
    } catch (const std::exception& e) {
      spdlog::info("p2p: search on {} failed: {}", node.substr(0, 8), e.what());
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.relevance > b.relevance; });
  std::set<std::string> seen;
  std::vector<library::P2pSearchHit> out;
  for (auto& h : hits) {
    if (out.size() >= limit) break;
    if (seen.insert(h.hash).second) out.push_back(std::move(h));
  }
  return out;
}

}  // namespace st::p2p
