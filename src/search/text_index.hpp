#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "search/term_dictionary.hpp"

namespace st::search {

// An in-memory word index of folded search texts (util::fold_for_search: words separated by single spaces)
// for documents numbered by the caller (SQLite rowids). A query finds every document holding each query
// word as a word prefix, scores it with util::search_score (the score the database engines give) and
// returns the total and one window of the ranking, best first, ties by document number.
//
// Two structures, both compact: per word, the ascending documents holding it with the word's first position
// in each (delta varints and a byte); per document, its word numbers in order (varints). A query intersects
// the query words' postings (rarest first), which gives each candidate's first position and whole-word
// matches per query word: a lower and an upper bound of its score. Only candidates whose upper bound reaches
// the window's last lower bound are scored exactly, from their word lists; the rest cannot enter the window.
//
// Changes never rewrite a posting list in place: a replaced or erased document is marked dirty (its old
// postings may be stale; it is always checked against its word list) and a document added below a list's
// end waits aside until settle(), which folds those in and rebuilds the lists once stale or dirty ones are
// many. Not thread-safe: the owner locks (queries are const and may run together).
class TextIndex {
 public:
  struct Hit {
    std::int64_t score;
    std::uint32_t doc;
  };
  struct Result {
    std::size_t total = 0;   // documents matching every word
    std::vector<Hit> hits;   // the requested window of them, best first
  };
  // Document numbers above this are refused (the per-document offsets are a plain array).
  static constexpr std::uint32_t kMaxDoc = (1u << 26) - 1;
  // Gives the query scratch kept between queries (up to 3 sets of 16 MiB, mapped) back to the kernel; the
  // next queries map theirs again. For a quiet server (db/idle_memory.hpp). Returns the bytes released.
  static std::size_t release_spare_scratch();
  // Words of one document past this many are not indexed.
  static constexpr std::size_t kMaxWords = 512;

  void put(std::uint32_t doc, std::string_view text);  // adds or replaces; throws std::out_of_range past kMaxDoc
  void erase(std::uint32_t doc);
  bool contains(std::uint32_t doc) const { return doc < where_.size() && where_[doc] != kAbsent; }
  std::size_t size() const { return docs_; }

  // Folds in documents added out of order and drops stale postings once they are many; call after a batch
  // of changes (queries are correct without it, only slower).
  void settle();
  // settle(), and gives back every buffer's spare capacity (after a bulk load: lists grow by doubling).
  void shrink();

  // Every document holding each of `words` (folded, at most 64) as a word prefix; [offset, offset + limit)
  // of them, best first.
  Result query(std::span<const std::string> words, std::size_t offset, std::size_t limit) const;

  std::size_t memory_bytes() const;

 private:
  static constexpr std::uint32_t kAbsent = UINT32_MAX;
  struct Postings {
    std::vector<std::uint8_t> bytes;  // per ascending document: its number as a varint delta, its first position
    std::uint32_t last = 0;           // the last document in bytes
    std::uint32_t count = 0;          // documents in bytes
  };
  struct Late {
    std::uint32_t doc;
    std::uint8_t first;
  };
  struct Word;
  struct Candidates;
  struct QueryScratch;  // a query's large arrays, kept between queries (see scratch.hpp)
  static std::unique_ptr<QueryScratch> take_scratch();
  static void give_back(std::unique_ptr<QueryScratch> s);
  static std::vector<std::unique_ptr<QueryScratch>>& spare_sets();  // guarded by a mutex in the .cpp

  std::vector<std::uint32_t> words_of(std::uint32_t doc) const;
  std::optional<std::int64_t> exact_score(std::uint32_t doc, std::span<const Word> ws) const;
  void add_posting(std::uint32_t term, std::uint32_t doc, std::uint8_t first);
  template <class F>
  void for_each_posting(std::uint32_t term, F&& f) const;
  void candidates_of(const Word& w, std::size_t column, QueryScratch& s) const;
  // A list holding at least one document in 64: intersected through spread(), not merged.
  bool dense(std::size_t postings) const { return postings * 64 >= where_.size(); }
  void spread(std::uint32_t term, QueryScratch& s) const;  // into s.holds and s.posting
  void intersection(const Word& a, std::size_t column_a, const Word& b, std::size_t column_b,
                    QueryScratch& s) const;  // of two single, settled lists
  void filter(const Word& w, std::size_t column, QueryScratch& s) const;
  void mark_dirty(std::uint32_t doc);
  bool dirty(std::uint32_t doc) const { return (doc >> 6) < dirty_.size() && ((dirty_[doc >> 6] >> (doc & 63)) & 1); }
  void rebuild_postings();
  void compact_forward();

  TermDictionary terms_;
  std::vector<Postings> postings_;                                      // by word number
  std::unordered_map<std::uint32_t, std::vector<Late>> late_;  // word -> documents below its last, in order added
  std::vector<std::uint32_t> where_;   // document -> offset of its words in forward_, or kAbsent
  std::vector<std::uint8_t> forward_;  // per document: its word count, then its word numbers, as varints
  std::vector<std::uint64_t> dirty_;  // documents whose postings may be stale (one bit each)
  std::size_t dirty_count_ = 0;
  std::size_t docs_ = 0;
  std::size_t forward_garbage_ = 0;  // bytes of forward_ no document points at
  std::size_t live_postings_ = 0;    // (word, document) pairs that hold
  std::size_t stale_postings_ = 0;   // pairs left in posting lists that no longer hold
};

}  // namespace st::search
