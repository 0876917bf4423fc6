#include "p2p/search_index.hpp"

#include <spdlog/spdlog.h>

namespace st::p2p {

bool SearchIndex::refresh(model::P2pRepository& repo, std::chrono::milliseconds debounce) {
  auto latest = repo.latest_change();
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard l(mu_);
    if (own_ && latest == built_change_) return false;
    if (latest != seen_change_) {
      if (seen_change_ == built_change_ || !own_) first_seen_at_ = now;
      seen_change_ = latest;
      seen_at_ = now;
    }
    // Still changing (an import in progress): wait, but not forever.
    bool settled = now - seen_at_ >= debounce || now - first_seen_at_ >= debounce * 10;
    if (own_ && !settled) return false;
  }
  auto t0 = std::chrono::steady_clock::now();
  BloomTermSet terms;
  repo.for_each_offered_name([&](const std::string& title, const std::string& artist, const std::string& album) {
    terms.add(title);
    terms.add_recurring(artist);
    terms.add_recurring(album);
  });
  auto f = BloomFilter::with_random_keys(terms.size());
  terms.for_each([&](std::string_view t) { f.insert(t); });
  auto msg = std::make_shared<const std::string>(encode_message(BloomExchange{f.to_wire()}));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::lock_guard l(mu_);
  own_ = std::move(msg);
  ++generation_;
  terms_ = terms.size();
  built_change_ = latest;
  seen_change_ = latest;
  spdlog::info("p2p: search filter rebuilt: {} terms, {} bits, {} hashes ({:.0f} ms)", terms_, f.bitmap_bits(),
               f.num_hashes(), ms);
  return true;
}

std::shared_ptr<const std::string> SearchIndex::own_message() const {
  std::lock_guard l(mu_);
  return own_;
}

std::uint64_t SearchIndex::generation() const {
  std::lock_guard l(mu_);
  return generation_;
}

std::uint64_t SearchIndex::own_terms() const {
  std::lock_guard l(mu_);
  return terms_;
}

std::optional<std::string> SearchIndex::set_peer(const std::string& node, const BloomFilterData& d) {
  std::string why;
  auto f = BloomFilter::from_wire(d, &why);
  if (!f) return why;
  auto p = std::make_shared<const BloomFilter>(std::move(*f));
  std::lock_guard l(mu_);
  auto& slot = peers_[node];
  std::size_t others = peer_bytes_ - (slot ? slot->bitmap_bytes() : 0);
  if (others + p->bitmap_bytes() > max_peer_bytes_) {
    if (!slot) peers_.erase(node);
    return "over this node's quota for peers' filters";
  }
  peer_bytes_ = others + p->bitmap_bytes();
  slot = std::move(p);
  return std::nullopt;
}

void SearchIndex::forget(const std::string& node) {
  std::lock_guard l(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end()) return;
  peer_bytes_ -= it->second->bitmap_bytes();
  peers_.erase(it);
}

std::optional<bool> SearchIndex::may_match(const std::string& node, std::string_view query) const {
  std::shared_ptr<const BloomFilter> f;
  {
    std::lock_guard l(mu_);
    auto it = peers_.find(node);
    if (it == peers_.end()) return std::nullopt;
    f = it->second;
  }
  return bloom_matches_query(*f, query);
}

std::size_t SearchIndex::peer_filter_count() const {
  std::lock_guard l(mu_);
  return peers_.size();
}

std::size_t SearchIndex::peer_filter_bytes() const {
  std::lock_guard l(mu_);
  return peer_bytes_;
}

}  // namespace st::p2p
