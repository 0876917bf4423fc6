#include "search/text_index.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "util/search_score.hpp"

namespace st::search {

namespace {

void put_varint(std::vector<std::uint8_t>& out, std::uint32_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

std::uint32_t get_varint(const std::uint8_t*& p) {
  std::uint32_t v = 0;
  for (int shift = 0;; shift += 7) {
    std::uint8_t b = *p++;
    v |= static_cast<std::uint32_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

std::size_t varint_size(std::uint32_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// Bytes of a document's forward entry.
std::size_t encoded_size(const std::vector<std::uint32_t>& words) {
  std::size_t n = varint_size(static_cast<std::uint32_t>(words.size()));
  for (auto w : words) n += varint_size(w);
  return n;
}

std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// A set of numbers below a bound, one bit each.
class Bits {
 public:
  explicit Bits(std::size_t bound) : words_((bound + 63) / 64, 0) {}
  void set(std::uint32_t i) { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  bool test(std::uint32_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t w = 0; w < words_.size(); ++w)
      for (auto bits = words_[w]; bits; bits &= bits - 1)
        f(static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))));
  }

 private:
  std::vector<std::uint64_t> words_;
};

}  // namespace

// One query word: the index's words it is a prefix of, and how many postings they hold.
struct TextIndex::Word {
  std::vector<std::uint32_t> terms;
  std::uint32_t exact = TermDictionary::npos;  // the index's word equal to it, if any
  std::size_t postings = 0;
  bool late = false;  // some of its postings wait in late_
};

std::vector<std::uint32_t> TextIndex::words_of(std::uint32_t doc) const {
  std::vector<std::uint32_t> out;
  if (!contains(doc)) return out;
  const std::uint8_t* p = forward_.data() + where_[doc];
  auto n = get_varint(p);
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) out.push_back(get_varint(p));
  return out;
}

void TextIndex::add_posting(std::uint32_t term, std::uint32_t doc) {
  if (term >= postings_.size()) postings_.resize(static_cast<std::size_t>(term) + 1);
  auto& p = postings_[term];
  if (p.count == 0) {
    put_varint(p.bytes, doc);
  } else if (doc > p.last) {
    put_varint(p.bytes, doc - p.last);
  } else {
    if (doc != p.last) late_[term].push_back(doc);  // equal: a stale posting that holds again
    return;
  }
  p.last = doc;
  ++p.count;
}

template <class F>
void TextIndex::for_each_doc(std::uint32_t term, F&& f) const {
  if (term >= postings_.size()) return;
  const auto& p = postings_[term];
  const std::uint8_t* b = p.bytes.data();
  std::uint32_t doc = 0;
  for (std::uint32_t i = 0; i < p.count; ++i) {
    doc += get_varint(b);
    f(doc);
  }
  if (auto it = late_.find(term); it != late_.end())
    for (auto d : it->second) f(d);
}

void TextIndex::put(std::uint32_t doc, std::string_view text) {
  if (doc > kMaxDoc) throw std::out_of_range("search index: document number too large");
  std::vector<std::uint32_t> words;
  for (std::size_t start = 0; start < text.size() && words.size() < kMaxWords;) {
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) words.push_back(terms_.intern(text.substr(start, end - start)));
    start = end + 1;
  }
  auto fresh = sorted_unique(words);
  auto previous = words_of(doc);
  if (contains(doc)) {
    forward_garbage_ += encoded_size(previous);
  } else {
    if (where_.size() <= doc) where_.resize(static_cast<std::size_t>(doc) + 1, kAbsent);
    ++docs_;
  }
  where_[doc] = static_cast<std::uint32_t>(forward_.size());
  if (forward_.size() > UINT32_MAX - 8 * (words.size() + 1)) throw std::length_error("search index full");
  put_varint(forward_, static_cast<std::uint32_t>(words.size()));
  for (auto w : words) put_varint(forward_, w);

  auto old = sorted_unique(std::move(previous));
  std::vector<std::uint32_t> added, dropped;
  std::set_difference(fresh.begin(), fresh.end(), old.begin(), old.end(), std::back_inserter(added));
  std::set_difference(old.begin(), old.end(), fresh.begin(), fresh.end(), std::back_inserter(dropped));
  for (auto t : added) add_posting(t, doc);
  live_postings_ += added.size();
  live_postings_ -= dropped.size();
  stale_postings_ += dropped.size();
}

void TextIndex::erase(std::uint32_t doc) {
  if (!contains(doc)) return;
  auto words = words_of(doc);
  forward_garbage_ += encoded_size(words);
  auto distinct = sorted_unique(std::move(words)).size();
  live_postings_ -= distinct;
  stale_postings_ += distinct;
  where_[doc] = kAbsent;
  --docs_;
}

void TextIndex::settle() {
  for (auto& [term, docs] : late_) {
    auto& p = postings_[term];
    std::vector<std::uint32_t> all;
    all.reserve(p.count + docs.size());
    const std::uint8_t* b = p.bytes.data();
    std::uint32_t doc = 0;
    for (std::uint32_t i = 0; i < p.count; ++i) all.push_back(doc += get_varint(b));
    all.insert(all.end(), docs.begin(), docs.end());
    all = sorted_unique(std::move(all));
    p = {};
    for (auto d : all) {
      put_varint(p.bytes, d - p.last);
      p.last = d;
      ++p.count;
    }
    p.bytes.shrink_to_fit();
  }
  late_.clear();
  if (stale_postings_ > live_postings_ / 2 + 4096) rebuild_postings();
  if (forward_garbage_ > forward_.size() / 2 + 65536) compact_forward();
  terms_.settle();
}

void TextIndex::rebuild_postings() {
  postings_.assign(terms_.size(), {});
  late_.clear();
  for (std::uint32_t doc = 0; doc < where_.size(); ++doc)
    if (where_[doc] != kAbsent)
      for (auto t : sorted_unique(words_of(doc))) add_posting(t, doc);  // ascending documents: never late
  for (auto& p : postings_) p.bytes.shrink_to_fit();
  stale_postings_ = 0;
}

void TextIndex::compact_forward() {
  std::vector<std::uint8_t> compacted;
  compacted.reserve(forward_.size() - forward_garbage_);
  for (auto& at : where_) {
    if (at == kAbsent) continue;
    const std::uint8_t* p = forward_.data() + at;
    const std::uint8_t* begin = p;
    auto n = get_varint(p);
    for (std::uint32_t i = 0; i < n; ++i) get_varint(p);
    at = static_cast<std::uint32_t>(compacted.size());
    compacted.insert(compacted.end(), begin, p);
  }
  forward_ = std::move(compacted);
  forward_garbage_ = 0;
}

std::vector<std::uint32_t> TextIndex::docs_of(const Word& w) const {
  std::vector<std::uint32_t> out;
  if (w.terms.size() == 1 && !w.late) {  // one ascending list: already sorted and unique
    out.reserve(w.postings);
    for_each_doc(w.terms[0], [&](std::uint32_t d) { out.push_back(d); });
    return out;
  }
  if (w.postings * 16 < where_.size()) {  // few: sort them
    out.reserve(w.postings);
    for (auto t : w.terms) for_each_doc(t, [&](std::uint32_t d) { out.push_back(d); });
    return sorted_unique(std::move(out));
  }
  Bits bits(where_.size());
  for (auto t : w.terms) for_each_doc(t, [&](std::uint32_t d) { bits.set(d); });
  bits.for_each([&](std::uint32_t d) { out.push_back(d); });
  return out;
}

TextIndex::Result TextIndex::query(std::span<const std::string> words, std::size_t offset, std::size_t limit) const {
  Result r;
  if (words.empty() || docs_ == 0) return r;
  std::vector<Word> ws(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto& w = ws[i];
    w.terms = terms_.with_prefix(words[i]);
    if (w.terms.empty()) return r;
    w.exact = terms_.find(words[i]);
    for (auto t : w.terms) {
      if (t >= postings_.size()) continue;
      w.postings += postings_[t].count;
      if (auto it = late_.find(t); it != late_.end()) {
        w.postings += it->second.size();
        w.late = true;
      }
    }
    if (w.postings == 0) return r;
  }
  // Candidates: the documents of the word with the fewest postings, filtered by every other word whose
  // postings are not many times more than the candidates (the rest are checked on the forward lists).
  std::vector<std::size_t> order(ws.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ws[a].postings < ws[b].postings; });
  auto candidates = docs_of(ws[order[0]]);
  for (std::size_t k = 1; k < order.size() && !candidates.empty(); ++k) {
    const auto& w = ws[order[k]];
    if (w.postings > 8 * candidates.size()) break;  // the rest are larger still
    Bits bits(where_.size());
    for (auto t : w.terms) for_each_doc(t, [&](std::uint32_t d) { bits.set(d); });
    std::erase_if(candidates, [&](std::uint32_t d) { return !bits.test(d); });
  }
  // Which index words each query word covers: one word compared directly, several through a bit set.
  std::vector<Bits> covers;
  covers.reserve(ws.size());
  for (const auto& w : ws) {
    covers.emplace_back(w.terms.size() == 1 ? 0 : terms_.size());
    if (w.terms.size() > 1)
      for (auto t : w.terms) covers.back().set(t);
  }
  std::array<util::WordMatch, 64> matches;
  auto n = std::min(ws.size(), matches.size());
  std::vector<Hit> hits;
  for (auto doc : candidates) {
    if (!contains(doc)) continue;  // a stale posting
    for (std::size_t i = 0; i < n; ++i) matches[i] = {};
    const std::uint8_t* p = forward_.data() + where_[doc];
    auto count = get_varint(p);
    for (std::uint32_t pos = 0; pos < count; ++pos) {
      auto term = get_varint(p);
      for (std::size_t i = 0; i < n; ++i) {
        bool covered = ws[i].terms.size() == 1 ? term == ws[i].terms[0] : covers[i].test(term);
        if (covered) matches[i].add(static_cast<int>(pos), term == ws[i].exact);
      }
    }
    bool all = true;
    for (std::size_t i = 0; i < n && all; ++i) all = matches[i].count > 0;
    if (all) hits.push_back({util::search_score(std::span(matches.data(), n)), doc});
  }
  r.total = hits.size();
  auto from = std::min(offset, hits.size());
  auto to = std::min(hits.size(), from + std::min(limit, hits.size() - from));
  if (from == to) return r;
  auto better = [](const Hit& a, const Hit& b) { return a.score != b.score ? a.score > b.score : a.doc < b.doc; };
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(to), hits.end(), better);
  r.hits.assign(hits.begin() + static_cast<std::ptrdiff_t>(from), hits.begin() + static_cast<std::ptrdiff_t>(to));
  return r;
}

std::size_t TextIndex::memory_bytes() const {
  std::size_t bytes = terms_.memory_bytes() + postings_.capacity() * sizeof(Postings) + where_.capacity() * 4 +
                      forward_.capacity();
  for (const auto& p : postings_) bytes += p.bytes.capacity();
  for (const auto& [t, docs] : late_) bytes += 32 + docs.capacity() * 4;
  return bytes;
}

}  // namespace st::search
