#include "search/text_index.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "search/scratch.hpp"
#include "util/search_score.hpp"

namespace st::search {

namespace {

// A posting's byte: the word's first position in the document (6 bits; kFar for kFar and beyond) and how
// often it occurs there (2 bits: 1, 2, 3, 4 or more).
constexpr std::uint32_t kFar = 63;
std::uint8_t posting_byte(std::size_t first, std::size_t count) {
  return static_cast<std::uint8_t>(std::min<std::size_t>(first, kFar) << 2 | (std::min<std::size_t>(count, 4) - 1));
}
constexpr std::size_t kBoundedWords = 16;  // queries of more words are scored exactly throughout

// 1 / (1 + p) for each first position p a posting records (kFar: that or later, so at most this).
constexpr auto kEarly = [] {
  std::array<double, kFar + 1> out{};
  for (std::size_t p = 0; p <= kFar; ++p) out[p] = 1.0 / (1.0 + static_cast<double>(p));
  return out;
}();

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

// A document's distinct words, by word number, each with its posting byte.
std::vector<std::pair<std::uint32_t, std::uint8_t>> first_positions(const std::vector<std::uint32_t>& words) {
  std::vector<std::pair<std::uint32_t, std::size_t>> at;  // (word, position)
  at.reserve(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) at.emplace_back(words[i], i);
  std::sort(at.begin(), at.end());
  std::vector<std::pair<std::uint32_t, std::uint8_t>> out;
  for (std::size_t i = 0; i < at.size();) {
    auto j = i;
    while (j < at.size() && at[j].first == at[i].first) ++j;
    out.emplace_back(at[i].first, posting_byte(at[i].second, j - i));
    i = j;
  }
  return out;
}

// A set of numbers below a bound, one bit each.
class Bits {
 public:
  explicit Bits(std::size_t bound) : words_((bound + 63) / 64, 0) {}
  void reset(std::size_t bound) { words_.assign((bound + 63) / 64, 0); }
  void set(std::uint32_t i) { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  bool test(std::uint32_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }
  std::size_t capacity_bytes() const { return words_.capacity() * sizeof(std::uint64_t); }

 private:
  Scratch<std::uint64_t> words_;
};

}  // namespace

// One query word: the index's words it is a prefix of, and how many postings they hold.
struct TextIndex::Word {
  std::vector<std::uint32_t> terms;
  std::uint32_t exact = TermDictionary::npos;  // the index's word equal to it, if any
  std::size_t postings = 0;
  bool late = false;  // some of its postings wait in late_
  Bits covers{0};     // terms as a set, when there are several

  bool single() const { return terms.size() == 1 && !late; }
  bool covered(std::uint32_t term) const { return terms.size() == 1 ? term == terms[0] : covers.test(term); }
};

// Documents holding the words filtered so far, ascending, and per document and query word (a row of
// `columns`) the word's first position there and whether it occurs whole.
struct TextIndex::Candidates {
  struct At {
    std::uint8_t first = 0;  // capped at kFar
    std::uint8_t count = 0;  // capped at 4; 0: not known
    bool whole = false;

    static At of(std::uint8_t posting, bool whole) {
      return {static_cast<std::uint8_t>(posting >> 2), static_cast<std::uint8_t>((posting & 3) + 1), whole};
    }
    void merge(At o) {  // the same query word through another of the index's words
      first = std::min(first, o.first);
      count = static_cast<std::uint8_t>(std::min(4, count + o.count));
      whole = whole || o.whole;
    }
  };
  std::size_t columns = 0;
  Scratch<std::uint32_t> docs;
  Scratch<At> at;  // docs.size() * columns

  void push(std::uint32_t doc, std::size_t column, At a) {
    docs.push_back(doc);
    for (std::size_t k = 0; k < columns; ++k) at.emplace_back();
    at[at.size() - columns + column] = a;
  }
};

struct Pending {  // a candidate to score from its word list unless the window is out of its reach
  std::uint32_t doc;
  double upper;  // in thousandths, as scores are
};

struct TextIndex::QueryScratch {
  Candidates cand;
  Scratch<Candidates::At> by_doc;
  Scratch<std::pair<std::uint32_t, Candidates::At>> all;
  Scratch<Hit> top;
  Scratch<Pending> pending;
  // One word's postings spread over all documents (dense lists): whether each holds it and, where it does,
  // its posting byte (the rest of `posting` is left as the last query wrote it).
  Bits holds{0};
  Scratch<std::uint8_t> posting;

  std::size_t bytes() const {
    return cand.docs.capacity() * sizeof(std::uint32_t) + cand.at.capacity() * sizeof(Candidates::At) +
           by_doc.capacity() * sizeof(Candidates::At) + all.capacity() * sizeof(all[0]) + top.capacity() * sizeof(Hit) +
           pending.capacity() * sizeof(Pending) + holds.capacity_bytes() + posting.capacity();
  }
};

namespace {
// Scratch sets kept between queries: as many as queries usually run at once, of a bounded size (a larger one,
// left by a rare huge query, is given back to the kernel).
constexpr std::size_t kSpareSets = 3;
constexpr std::size_t kSpareBytes = 16 << 20;
std::mutex spare_mutex;
}  // namespace

std::vector<std::unique_ptr<TextIndex::QueryScratch>>& TextIndex::spare_sets() {
  static std::vector<std::unique_ptr<QueryScratch>> sets;
  return sets;
}

std::unique_ptr<TextIndex::QueryScratch> TextIndex::take_scratch() {
  {
    std::lock_guard lk(spare_mutex);
    auto& sets = spare_sets();
    if (!sets.empty()) {
      auto s = std::move(sets.back());
      sets.pop_back();
      return s;
    }
  }
  return std::make_unique<QueryScratch>();
}

std::size_t TextIndex::release_spare_scratch() {
  std::vector<std::unique_ptr<QueryScratch>> gone;
  {
    std::lock_guard lk(spare_mutex);
    gone.swap(spare_sets());
  }
  std::size_t bytes = 0;
  for (const auto& s : gone) bytes += s->bytes();
  return bytes;  // (unmapped as `gone` ends)
}

void TextIndex::give_back(std::unique_ptr<QueryScratch> s) {
  if (s->bytes() > kSpareBytes) return;
  s->cand.docs.clear();
  s->cand.at.clear();
  s->all.clear();
  s->top.clear();
  s->pending.clear();
  std::lock_guard lk(spare_mutex);
  if (spare_sets().size() < kSpareSets) spare_sets().push_back(std::move(s));
}

std::vector<std::uint32_t> TextIndex::words_of(std::uint32_t doc) const {
  std::vector<std::uint32_t> out;
  if (!contains(doc)) return out;
  const std::uint8_t* p = forward_.data() + where_[doc];
  auto n = get_varint(p);
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) out.push_back(get_varint(p));
  return out;
}

void TextIndex::add_posting(std::uint32_t term, std::uint32_t doc, std::uint8_t first) {
  if (term >= postings_.size()) postings_.resize(static_cast<std::size_t>(term) + 1);
  auto& p = postings_[term];
  if (p.count == 0 || doc > p.last) {
    put_varint(p.bytes, p.count == 0 ? doc : doc - p.last);
    p.bytes.push_back(first);
    p.last = doc;
    ++p.count;
  } else if (doc != p.last) {  // equal: a stale posting of this (dirty) document holds again

    late_[term].push_back({doc, first});
  }
}

template <class F>
void TextIndex::for_each_posting(std::uint32_t term, F&& f) const {
  if (term >= postings_.size()) return;
  const auto& p = postings_[term];
  const std::uint8_t* b = p.bytes.data();
  std::uint32_t doc = 0;
  for (std::uint32_t i = 0; i < p.count; ++i) {
    doc += get_varint(b);
    f(doc, *b++);
  }
  if (auto it = late_.find(term); it != late_.end())
    for (const auto& l : it->second) f(l.doc, l.first);
}

void TextIndex::mark_dirty(std::uint32_t doc) {
  if (dirty_.size() <= doc >> 6) dirty_.resize((doc >> 6) + 1, 0);
  auto bit = std::uint64_t{1} << (doc & 63);
  if (!(dirty_[doc >> 6] & bit)) ++dirty_count_;
  dirty_[doc >> 6] |= bit;
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
  auto fresh = first_positions(words);
  auto previous = words_of(doc);
  if (contains(doc)) {
    forward_garbage_ += encoded_size(previous);
    mark_dirty(doc);  // words it keeps have postings with their old first positions
  } else {
    if (where_.size() <= doc) where_.resize(static_cast<std::size_t>(doc) + 1, kAbsent);
    ++docs_;
  }
  if (forward_.size() > UINT32_MAX - 8 * (words.size() + 1)) throw std::length_error("search index full");
  where_[doc] = static_cast<std::uint32_t>(forward_.size());
  put_varint(forward_, static_cast<std::uint32_t>(words.size()));
  for (auto w : words) put_varint(forward_, w);

  auto old = sorted_unique(std::move(previous));
  std::size_t kept = 0;
  for (auto [term, first] : fresh) {
    if (std::binary_search(old.begin(), old.end(), term)) {
      ++kept;
      continue;
    }
    add_posting(term, doc, first);
    ++live_postings_;
  }
  live_postings_ -= old.size() - kept;
  stale_postings_ += old.size() - kept;
}

void TextIndex::erase(std::uint32_t doc) {
  if (!contains(doc)) return;
  auto words = words_of(doc);
  forward_garbage_ += encoded_size(words);
  auto distinct = sorted_unique(std::move(words)).size();
  live_postings_ -= distinct;
  stale_postings_ += distinct;
  mark_dirty(doc);  // its postings stay until a rebuild; put() again must not trust them
  where_[doc] = kAbsent;
  --docs_;
}

void TextIndex::settle() {
  for (auto& [term, late] : late_) {
    auto& p = postings_[term];
    Scratch<Late> all;
    all.reserve(p.count + late.size());
    const std::uint8_t* b = p.bytes.data();
    std::uint32_t doc = 0;
    for (std::uint32_t i = 0; i < p.count; ++i) {
      doc += get_varint(b);
      all.push_back({doc, *b++});
    }
    all.insert(all.end(), late.begin(), late.end());
    // One posting per document: the one added last (a stale one's position may have changed).
    std::stable_sort(all.begin(), all.end(), [](const Late& x, const Late& y) { return x.doc < y.doc; });
    p = {};
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i + 1 < all.size() && all[i + 1].doc == all[i].doc) continue;
      put_varint(p.bytes, all[i].doc - p.last);
      p.bytes.push_back(all[i].first);
      p.last = all[i].doc;
      ++p.count;
    }
    p.bytes.shrink_to_fit();
  }
  late_.clear();
  if (stale_postings_ > live_postings_ / 2 + 4096 || dirty_count_ > docs_ / 8 + 1024) rebuild_postings();
  if (forward_garbage_ > forward_.size() / 2 + 65536) compact_forward();
  terms_.settle();
}

void TextIndex::shrink() {
  settle();
  for (auto& p : postings_) p.bytes.shrink_to_fit();
  postings_.shrink_to_fit();
  where_.shrink_to_fit();
  forward_.shrink_to_fit();
}

void TextIndex::rebuild_postings() {
  postings_.assign(terms_.size(), {});
  late_.clear();
  for (std::uint32_t doc = 0; doc < where_.size(); ++doc)
    if (where_[doc] != kAbsent)
      for (auto [term, first] : first_positions(words_of(doc))) add_posting(term, doc, first);  // never late
  for (auto& p : postings_) p.bytes.shrink_to_fit();
  stale_postings_ = 0;
  dirty_.clear();
  dirty_.shrink_to_fit();
  dirty_count_ = 0;
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

void TextIndex::candidates_of(const Word& w, std::size_t column, QueryScratch& s) const {
  auto& c = s.cand;
  const auto columns = c.columns;
  auto at = [&](std::uint32_t term, std::uint8_t posting) { return Candidates::At::of(posting, term == w.exact); };
  if (w.single()) {  // one ascending list: already sorted and unique
    c.docs.reserve(w.postings);
    c.at.reserve(w.postings * columns);
    for_each_posting(w.terms[0], [&](std::uint32_t d, std::uint8_t f) { c.push(d, column, at(w.terms[0], f)); });
    return;
  }
  // Several lists: per document the earliest first position, the occurrences, and whether any is the word
  // itself; merged in an array over all documents when they are many, else sorted.
  if (w.postings * 16 >= where_.size()) {
    auto& by_doc = s.by_doc;
    by_doc.assign(where_.size(), {});
    for (auto t : w.terms)
      for_each_posting(t, [&](std::uint32_t d, std::uint8_t f) {
        auto a = at(t, f);
        if (by_doc[d].count == 0) by_doc[d] = a;
        else by_doc[d].merge(a);
      });
    for (std::uint32_t d = 0; d < by_doc.size(); ++d)
      if (by_doc[d].count > 0) c.push(d, column, by_doc[d]);
    return;
  }
  auto& all = s.all;
  all.reserve(w.postings);
  for (auto t : w.terms) for_each_posting(t, [&](std::uint32_t d, std::uint8_t f) { all.emplace_back(d, at(t, f)); });
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (std::size_t i = 0; i < all.size();) {
    auto a = all[i].second;
    auto doc = all[i].first;
    for (++i; i < all.size() && all[i].first == doc; ++i) a.merge(all[i].second);
    c.push(doc, column, a);
  }
}

void TextIndex::spread(std::uint32_t term, QueryScratch& s) const {
  s.holds.reset(where_.size());
  if (s.posting.size() < where_.size()) s.posting.resize(where_.size());
  // (A document both in the list, stale, and late: the late posting, written last, holds.)
  for_each_posting(term, [&](std::uint32_t d, std::uint8_t f) {
    s.holds.set(d);
    s.posting[d] = f;
  });
}

void TextIndex::intersection(const Word& a, std::size_t column_a, const Word& b, std::size_t column_b,
                             QueryScratch& s) const {
  auto& c = s.cand;
  const auto columns = c.columns;
  const auto& pa = postings_[a.terms[0]];
  const auto& pb = postings_[b.terms[0]];
  const std::uint8_t* x = pa.bytes.data();
  const std::uint8_t* y = pb.bytes.data();
  std::uint32_t left_a = pa.count, left_b = pb.count, da = 0, db = 0;
  if (left_a == 0 || left_b == 0) return;
  bool whole_a = a.terms[0] == a.exact, whole_b = b.terms[0] == b.exact;
  if (dense(pa.count)) {
    // Both lists hold a good share of all documents (a the smaller): a merge would mispredict at about every
    // other step. b is spread over all documents instead and a walked through it, each of a's documents
    // written as a candidate and kept (the next one written after it) when b holds it too.
    spread(b.terms[0], s);
    c.docs.resize(pa.count);
    c.at.resize(std::size_t{pa.count} * columns);
    std::size_t kept = 0;
    for (std::uint32_t i = 0; i < pa.count; ++i) {
      da += get_varint(x);
      c.docs[kept] = da;
      auto* row = &c.at[kept * columns];
      row[column_a] = Candidates::At::of(*x++, whole_a);
      row[column_b] = Candidates::At::of(s.posting[da], whole_b);
      kept += s.holds.test(da);
    }
    c.docs.resize(kept);
    c.at.resize(kept * columns);
    return;
  }
  da = get_varint(x);
  db = get_varint(y);
  --left_a;
  --left_b;
  c.docs.reserve(std::min(pa.count, pb.count));
  c.at.reserve(std::min(pa.count, pb.count) * columns);
  for (;;) {  // each list's current posting is (d, *x or *y); the byte follows its number
    if (da == db) {
      c.push(da, column_a, Candidates::At::of(*x, whole_a));
      c.at[c.at.size() - columns + column_b] = Candidates::At::of(*y, whole_b);
    }
    if (da <= db) {
      if (left_a == 0) break;
      ++x;
      da += get_varint(x);
      --left_a;
    } else {
      if (left_b == 0) break;
      ++y;
      db += get_varint(y);
      --left_b;
    }
  }
}

void TextIndex::filter(const Word& w, std::size_t column, QueryScratch& s) const {
  auto& c = s.cand;
  std::size_t kept = 0;
  auto keep = [&](std::size_t i, Candidates::At a) {
    c.docs[kept] = c.docs[i];
    std::copy_n(c.at.begin() + static_cast<std::ptrdiff_t>(i * c.columns), c.columns,
                c.at.begin() + static_cast<std::ptrdiff_t>(kept * c.columns));
    c.at[kept * c.columns + column] = a;
    ++kept;
  };
  if (w.single() && dense(w.postings) && dense(c.docs.size())) {  // both many: see intersection()
    spread(w.terms[0], s);
    bool whole = w.terms[0] == w.exact;
    for (std::size_t i = 0; i < c.docs.size(); ++i)
      if (s.holds.test(c.docs[i])) keep(i, Candidates::At::of(s.posting[c.docs[i]], whole));
  } else if (w.single()) {  // merge the two ascending lists
    const auto& p = postings_[w.terms[0]];
    const std::uint8_t* b = p.bytes.data();
    std::uint32_t remaining = p.count, doc = 0;
    std::uint8_t first = 0;
    bool read = false, whole = w.terms[0] == w.exact;
    for (std::size_t i = 0; i < c.docs.size(); ++i) {
      while (remaining > 0 && (!read || doc < c.docs[i])) {
        doc += get_varint(b);
        first = *b++;
        --remaining;
        read = true;
      }
      if (read && doc == c.docs[i]) keep(i, Candidates::At::of(first, whole));
      else if (remaining == 0 && (!read || doc < c.docs[i])) break;
    }
  } else {  // several lists: merged per document in an array over all documents
    auto& by_doc = s.by_doc;
    by_doc.assign(where_.size(), {});
    for (auto t : w.terms)
      for_each_posting(t, [&](std::uint32_t d, std::uint8_t f) {
        auto a = Candidates::At::of(f, t == w.exact);
        if (by_doc[d].count == 0) by_doc[d] = a;
        else by_doc[d].merge(a);
      });
    for (std::size_t i = 0; i < c.docs.size(); ++i)
      if (by_doc[c.docs[i]].count > 0) keep(i, by_doc[c.docs[i]]);
  }
  c.docs.resize(kept);
  c.at.resize(kept * c.columns);
}

std::optional<std::int64_t> TextIndex::exact_score(std::uint32_t doc, std::span<const Word> ws) const {
  std::array<util::WordMatch, kBoundedWords * 4> matches;
  auto n = std::min(ws.size(), matches.size());
  const std::uint8_t* p = forward_.data() + where_[doc];
  auto count = get_varint(p);
  for (std::uint32_t pos = 0; pos < count; ++pos) {
    auto term = get_varint(p);
    for (std::size_t i = 0; i < n; ++i)
      if (ws[i].covered(term)) matches[i].add(static_cast<int>(pos), term == ws[i].exact);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (matches[i].count == 0) return std::nullopt;
  return util::search_score(std::span(matches.data(), n));
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
    if (w.terms.size() > 1) {
      w.covers = Bits(terms_.size());
      for (auto t : w.terms) w.covers.set(t);
    }
  }
  // Candidates: the postings of the word with the fewest, intersected with every other word's unless it has
  // many times more postings than there are candidates left (those are then checked on the word lists).
  std::vector<std::size_t> order(ws.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ws[a].postings < ws[b].postings; });
  auto scratch = take_scratch();
  auto& cand = scratch->cand;
  cand.columns = ws.size();
  std::size_t k = 1;
  if (ws.size() >= 2 && ws[order[0]].single() && ws[order[1]].single() && ws[order[0]].terms != ws[order[1]].terms &&
      ws[order[1]].postings <= 8 * ws[order[0]].postings) {
    intersection(ws[order[0]], order[0], ws[order[1]], order[1], *scratch);
    k = 2;
  } else {
    candidates_of(ws[order[0]], order[0], *scratch);
  }
  bool all_intersected = true;
  for (; k < order.size() && !cand.docs.empty(); ++k) {
    // A word repeated (or another prefix of the same words) adds no filtering: its column is a copy.
    std::size_t same = k;
    for (std::size_t j = 0; j < k && same == k; ++j)
      if (ws[order[j]].terms == ws[order[k]].terms && ws[order[j]].exact == ws[order[k]].exact) same = j;
    if (same != k) {
      for (std::size_t i = 0; i < cand.docs.size(); ++i)
        cand.at[i * cand.columns + order[k]] = cand.at[i * cand.columns + order[same]];
      continue;
    }
    if (ws[order[k]].postings > 8 * cand.docs.size()) {
      all_intersected = false;  // the rest are larger still
      break;
    }
    filter(ws[order[k]], order[k], *scratch);
  }

  // The best `window_end` hits so far, worst on top.
  auto window_end = offset + std::min(limit, SIZE_MAX - offset);
  auto better = [](const Hit& a, const Hit& b) { return a.score != b.score ? a.score > b.score : a.doc < b.doc; };
  auto& top = scratch->top;
  auto offer = [&](Hit h) {
    if (window_end == 0) return;
    if (top.size() < window_end) {
      top.push_back(h);
      std::push_heap(top.begin(), top.end(), better);
    } else if (better(h, top.front())) {
      std::pop_heap(top.begin(), top.end(), better);
      top.back() = h;
      std::push_heap(top.begin(), top.end(), better);
    }
  };
  if (!all_intersected || ws.size() > kBoundedWords) {
    for (auto doc : cand.docs)
      if (contains(doc))
        if (auto s = exact_score(doc, ws)) {
          ++r.total;
          offer({*s, doc});
        }
  } else {
    // Every word's postings were intersected: a clean candidate matches, and its columns give its score
    // (util::search_score: per word 1, +1 whole, +1/(1 + first position), +0.1 per repeat up to 3; +0.75 per
    // adjacent pair of query words) exactly when every first position is before kFar and, for several
    // words, each occurs once; else a lower and an upper bound. A candidate whose upper bound is below the
    // window's last score so far cannot enter it and is not scored.
    auto& pending = scratch->pending;
    std::array<util::WordMatch, kBoundedWords> m;
    const auto n = ws.size();
    for (std::size_t i = 0; i < cand.docs.size(); ++i) {
      auto doc = cand.docs[i];
      if (dirty(doc)) {  // replaced or erased since the lists were built: its word list decides
        if (!contains(doc)) continue;
        if (auto s = exact_score(doc, ws)) {
          ++r.total;
          offer({*s, doc});
        }
        continue;
      }
      ++r.total;
      const auto* at = &cand.at[i * cand.columns];
      double hi = 0;
      for (std::size_t w = 0; w < n; ++w)
        hi += 1.0 + (at[w].whole ? 1.0 : 0.0) + 0.1 * (at[w].count - 1) + kEarly[at[w].first] + (w > 0 ? 0.75 : 0.0);
      if (top.size() == window_end && (window_end == 0 || hi * 1000 + 4 < static_cast<double>(top.front().score)))
        continue;  // (most candidates of a broad query, once the window is full)
      bool exact = true;
      for (std::size_t w = 0; w < n; ++w) exact = exact && at[w].first < kFar && (n == 1 || at[w].count == 1);
      if (exact) {
        for (std::size_t w = 0; w < n; ++w) {
          m[w] = {};
          m[w].add(at[w].first, at[w].whole);
          m[w].count = at[w].count;
        }
        offer({util::search_score(std::span(m.data(), n)), doc});
        continue;
      }
      pending.push_back({doc, hi * 1000});
    }
    constexpr std::size_t kAhead = 8;  // word lists are scattered: ask for them a few candidates ahead
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (top.size() == window_end && (window_end == 0 || pending[i].upper + 4 < static_cast<double>(top.front().score)))
        continue;
      if (i + kAhead < pending.size()) __builtin_prefetch(forward_.data() + where_[pending[i + kAhead].doc]);
      if (auto s = exact_score(pending[i].doc, ws)) offer({*s, pending[i].doc});
    }
  }
  std::sort_heap(top.begin(), top.end(), better);
  if (offset < top.size()) r.hits.assign(top.begin() + static_cast<std::ptrdiff_t>(offset), top.end());
  give_back(std::move(scratch));
  return r;
}

std::size_t TextIndex::memory_bytes() const {
  std::size_t bytes = terms_.memory_bytes() + postings_.capacity() * sizeof(Postings) + where_.capacity() * 4 +
                      forward_.capacity() + dirty_.capacity() * 8;
  for (const auto& p : postings_) bytes += p.bytes.capacity();
  for (const auto& [t, late] : late_) bytes += 32 + late.capacity() * sizeof(Late);
  return bytes;
}

}  // namespace st::search
