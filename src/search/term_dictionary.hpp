#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace st::search {

// The distinct words of an index, numbered 0, 1, 2, ... in order of first sight, their characters in one
// arena (no allocation per word). Finds a word's number through an open-addressing table, and every word
// starting with a prefix through a list of the numbers in byte order of their words (words added since
// that list was last merged are kept aside, unsorted, and scanned).
class TermDictionary {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;

  std::uint32_t find(std::string_view term) const;  // npos when absent
  std::uint32_t intern(std::string_view term);      // the word's number, added when new
  std::string_view text(std::uint32_t id) const {
    return std::string_view(chars_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }
  std::size_t size() const { return starts_.size() - 1; }

  // The numbers of every word that starts with `prefix` (the word itself included), in no set order.
  std::vector<std::uint32_t> with_prefix(std::string_view prefix) const;

  // Sorts the words added since the last merge into the ordered list and gives back spare capacity.
  void settle();
  std::size_t memory_bytes() const;

 private:
  std::size_t slot_of(std::string_view term) const;  // the slot holding term, or the empty one it would take
  void rehash(std::size_t slots);
  void merge_recent();

  std::string chars_;
  std::vector<std::uint32_t> starts_{0};  // word i is chars_[starts_[i], starts_[i + 1])
  std::vector<std::uint32_t> slots_;      // word number + 1; 0 is an empty slot; size a power of two
  std::vector<std::uint32_t> sorted_;     // word numbers in byte order of their words
  std::vector<std::uint32_t> recent_;     // added since sorted_ was merged
};

}  // namespace st::search
