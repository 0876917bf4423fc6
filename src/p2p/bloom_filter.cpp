#include "p2p/bloom_filter.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "util/fold.hpp"

namespace st::p2p {

namespace {

std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
};

std::uint64_t read_le(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

// Decodes one UTF-8 sequence (lenient: a bad byte is taken alone).
std::uint32_t next_cp(std::string_view s, std::size_t& i, std::size_t& len) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    len = 1;
    ++i;
    return 0xFFFD;
  }
  std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  len = n;
  i += n;
  return cp;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Lowercase as the original's `str::to_lowercase` does for the scripts music titles mostly use (ASCII,
// Latin-1, Latin Extended-A, Greek, Cyrillic); other characters are kept.
std::uint32_t lower_cp(std::uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x137) return c | 1;
  if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

bool is_space(std::uint32_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x3000; }

// The original's tokens: lowercased, split on whitespace.
std::vector<std::string> raw_tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 0;
    auto cp = next_cp(text, i, len);
    if (is_space(cp)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else if (cp == 0xFFFD && len == 1) {
      cur.push_back(text[i - 1]);  // keep undecodable bytes as they are
    } else {
      put_utf8(cur, lower_cp(cp));
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// A word cut to at most kMaxPrefix bytes, at a character boundary.
std::string_view capped(std::string_view w) {
  if (w.size() <= kMaxPrefix) return w;
  std::size_t n = kMaxPrefix;
  while (n > 0 && continuation(w[n])) --n;
  return w.substr(0, n);
}

}  // namespace

std::uint64_t siphash(int c_rounds, int d_rounds, std::uint64_t k0, std::uint64_t k1, std::string_view data) {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  std::size_t whole = n - n % 8;
  for (std::size_t i = 0; i < whole; i += 8) {
    auto m = read_le(p + i, 8);
    s.v3 ^= m;
    for (int r = 0; r < c_rounds; ++r) s.round();
    s.v0 ^= m;
  }
  std::uint64_t last = (static_cast<std::uint64_t>(n & 0xFF) << 56) | read_le(p + whole, n - whole);
  s.v3 ^= last;
  for (int r = 0; r < c_rounds; ++r) s.round();
  s.v0 ^= last;
  s.v2 ^= 0xFF;
  for (int r = 0; r < d_rounds; ++r) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

std::uint64_t siphash13_str(std::uint64_t k0, std::uint64_t k1, std::string_view item) {
  std::string buf;
  buf.reserve(item.size() + 1);
  buf.append(item);
  buf.push_back(static_cast<char>(0xFF));
  return siphash(1, 3, k0, k1, buf);
}

BloomFilter::BloomFilter(std::uint64_t capacity, double fp_rate, const SipKeys& keys) : keys_(keys) {
  capacity = std::max<std::uint64_t>(capacity, 1);
  const double ln2 = std::log(2.0);
  auto bytes = static_cast<std::uint64_t>(
      std::ceil(static_cast<double>(capacity) * std::log(fp_rate) / (-8.0 * ln2 * ln2)));
  bytes = std::clamp<std::uint64_t>(bytes, 1, kMaxBitmapBytes);
  bitmap_.assign(static_cast<std::size_t>(bytes), 0);
  bits_ = bytes * 8;
  auto k = std::ceil(static_cast<double>(bits_) / static_cast<double>(capacity) * ln2);
  k_ = static_cast<std::uint32_t>(std::clamp(k, 1.0, 64.0));
}

BloomFilter BloomFilter::with_random_keys(std::uint64_t capacity) {
  std::random_device rd;
  auto r64 = [&] { return (static_cast<std::uint64_t>(rd()) << 32) | rd(); };
  SipKeys keys{{{r64(), r64()}, {r64(), r64()}}};
  return BloomFilter(std::max(capacity, kCapacity), kFalsePositiveRate, keys);
}

std::optional<BloomFilter> BloomFilter::from_wire(const BloomFilterData& d, std::string* why) {
  auto fail = [&](const char* w) -> std::optional<BloomFilter> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (d.bitmap.empty() || d.bitmap_bits == 0) return fail("empty bitmap");
  if (d.bitmap_bits > d.bitmap.size() * 8ull) return fail("bitmap_bits larger than the bitmap");
  if (d.num_hashes == 0 || d.num_hashes > 64) return fail("num_hashes out of range");
  if (d.sip_keys.size() != 2) return fail("sip_keys must hold two key pairs");
  BloomFilter f;
  f.bitmap_ = d.bitmap;
  f.bits_ = d.bitmap_bits;
  f.k_ = d.num_hashes;
  f.keys_ = {d.sip_keys[0], d.sip_keys[1]};
  f.items_ = d.item_count;
  return f;
}

BloomFilterData BloomFilter::to_wire() const {
  BloomFilterData d;
  d.bitmap = bitmap_;
  d.num_hashes = k_;
  d.bitmap_bits = bits_;
  d.sip_keys = {keys_[0], keys_[1]};
  d.item_count = items_;
  return d;
}

template <class F>
void BloomFilter::positions(std::string_view item, F&& f) const {
  std::uint64_t h0 = siphash13_str(keys_[0].first, keys_[0].second, item);
  std::uint64_t h1 = siphash13_str(keys_[1].first, keys_[1].second, item);
  for (std::uint32_t i = 0; i < k_; ++i) {
    std::uint64_t h = i == 0 ? h0 : i == 1 ? h1 : (h0 + static_cast<std::uint64_t>(i) * h1) % 0xFFFFFFFFFFFFFFC5ULL;
    f(h % bits_);
  }
}

void BloomFilter::insert(std::string_view item) {
  positions(item, [this](std::uint64_t bit) { bitmap_[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8)); });
  ++items_;
}

bool BloomFilter::contains(std::string_view item) const {
  bool all = true;
  positions(item, [&](std::uint64_t bit) {
    if (!(bitmap_[bit / 8] & (0x80u >> (bit % 8)))) all = false;
  });
  return all;
}

namespace {

// Calls f(word) for every folded word of a text.
template <class F>
void for_each_folded_word(std::string_view text, F&& f) {
  auto folded = util::fold_for_search(text);
  for (std::size_t start = 0; start < folded.size();) {
    auto end = std::min(folded.find(' ', start), folded.size());
    std::string_view w(folded.data() + start, end - start);
    start = end + 1;
    if (!w.empty()) f(w);
  }
}

// Calls f(term) for the terms of one folded word: its prefixes of 2+ bytes up to kMaxPrefix, and the
// whole word when it is longer.
template <class F>
void for_each_word_term(std::string_view w, F&& f) {
  auto c = capped(w);
  for (std::size_t n = 2; n <= c.size(); ++n)
    if (n == c.size() || !continuation(c[n])) f(c.substr(0, n));
  if (w.size() > c.size()) f(w);
}

}  // namespace

void bloom_terms(std::string_view text, std::vector<std::string>& out) {
  for_each_folded_word(text, [&](std::string_view w) {
    for_each_word_term(w, [&](std::string_view t) { out.emplace_back(t); });
  });
  for (auto& t : raw_tokens(text))
    if (t.size() >= 2) out.push_back(std::move(t));
}

void BloomTermSet::add(std::string_view text) {
  auto keep = [this](std::string_view t) {
    if (terms_.find(t) == terms_.end()) terms_.emplace(t);
  };
  for_each_folded_word(text, [&](std::string_view w) {
    if (words_.find(w) != words_.end()) return;  // its terms are in already
    words_.emplace(w);
    for_each_word_term(w, keep);
  });
  for (const auto& t : raw_tokens(text))
    if (t.size() >= 2) keep(t);
}

void BloomTermSet::add_recurring(std::string_view text) {
  if (texts_.find(text) != texts_.end()) return;
  texts_.emplace(text);
  add(text);
}

bool bloom_matches_query(const BloomFilter& f, std::string_view query) {
  for (const auto& tok : raw_tokens(query)) {
    if (tok.size() >= 2 && f.contains(tok)) continue;  // as the original indexes it
    for (const auto& w : util::search_words(tok)) {
      if (w.size() < 2) continue;
      if (!f.contains(capped(w))) return false;
    }
  }
  return true;
}

}  // namespace st::p2p
