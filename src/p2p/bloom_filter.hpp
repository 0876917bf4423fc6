#pragma once
// The Bloom filter of catalogue terms that peers exchange (BloomExchange), wire-compatible with the
// original's `bloomfilter` crate: SipHash-1-3 with two key pairs, Kirsch-Mitzenmacher double hashing,
// the bitmap packed MSB-first. Terms are normalised better than the original's (folded: case,
// punctuation, diacritics) and indexed with their prefixes, so a filter answers the same prefix
// queries as our full-text search; the original's raw tokens are indexed too (see docs/p2p-protocol.md).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "p2p/protocol/messages.hpp"

namespace st::p2p {

// SipHash with c compression and d finalisation rounds (1-3 for the filter; 2-4 is the reference).
std::uint64_t siphash(int c_rounds, int d_rounds, std::uint64_t k0, std::uint64_t k1, std::string_view data);
// What the original hashes for an item: Rust's `Hash for str` = its bytes then one 0xFF byte.
std::uint64_t siphash13_str(std::uint64_t k0, std::uint64_t k1, std::string_view item);

using SipKeys = std::array<std::pair<std::uint64_t, std::uint64_t>, 2>;

class BloomFilter {
 public:
  static constexpr std::uint64_t kCapacity = 100000;  // the original's minimum capacity
  static constexpr double kFalsePositiveRate = 0.01;
  static constexpr std::size_t kMaxBitmapBytes = 768u << 10;  // fits a 4 MiB frame as a JSON byte array

  // Sized as the original: bytes = ceil(n·ln(fp) / (−8·ln²2)), k = ceil(bits/n·ln 2); at most
  // kMaxBitmapBytes (beyond that the false-positive rate grows).
  BloomFilter(std::uint64_t capacity, double fp_rate, const SipKeys& keys);
  // A filter sized for `capacity` with fresh random keys.
  static BloomFilter with_random_keys(std::uint64_t capacity);
  // A peer's filter; nothing (and the reason) when it is inconsistent.
  static std::optional<BloomFilter> from_wire(const BloomFilterData& d, std::string* why);
  BloomFilterData to_wire() const;

  void insert(std::string_view item);
  bool contains(std::string_view item) const;

  std::uint64_t bitmap_bits() const { return bits_; }
  std::uint32_t num_hashes() const { return k_; }
  std::uint64_t item_count() const { return items_; }
  std::size_t bitmap_bytes() const { return bitmap_.size(); }

 private:
  BloomFilter() = default;
  // Calls f(bit index) for each of the k positions of an item, as the crate computes them.
  template <class F>
  void positions(std::string_view item, F&& f) const;

  std::vector<std::uint8_t> bitmap_;
  std::uint64_t bits_ = 0;
  std::uint32_t k_ = 0;
  SipKeys keys_{};
  std::uint64_t items_ = 0;
};

// The terms a track is indexed under: every folded word with its prefixes of 2+ bytes (cut at character
// boundaries, at most kMaxPrefix bytes), and the original's raw tokens (lowercased, split on whitespace,
// 2+ bytes), so the original's queries still find our tracks.
inline constexpr std::size_t kMaxPrefix = 32;
void bloom_terms(std::string_view text, std::vector<std::string>& out);

// The distinct terms of many texts (a catalogue's titles and names), as bloom_terms makes them. A word's
// prefixes are made once, the first time the word is met: words repeat across a library, so most texts
// cost a lookup per word rather than a string per prefix.
class BloomTermSet {
 public:
  void add(std::string_view text);
  // A text that recurs (an artist's or album's name, met once per track): after the first time, one lookup.
  void add_recurring(std::string_view text);
  std::size_t size() const { return terms_.size(); }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& t : terms_) f(std::string_view(t));
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Set = std::unordered_set<std::string, Hash, std::equal_to<>>;
  Set words_;  // folded words met so far
  Set texts_;  // recurring texts met so far
  Set terms_;
};

// Whether a filter may hold a track matching every word of the query: each whitespace token must be in
// the filter as the original indexes it (raw, lowercased) or all its folded words (as prefixes) must be.
// Tokens that fold to nothing and 1-byte words do not narrow. A query without words matches.
bool bloom_matches_query(const BloomFilter& f, std::string_view query);

}  // namespace st::p2p
