#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace st::util {

// Where one query word occurs in an indexed search text (words folded as fold_for_search does; the text
// is the title, then the artist and album names).
struct WordMatch {
  int count = 0;      // occurrences as a prefix of a text word (a whole word counts too)
  int first = -1;     // word offset of the first occurrence, -1 when absent
  bool whole = false;  // occurs as a whole word somewhere
  std::array<int, 4> offsets{-1, -1, -1, -1};  // the first few occurrences, ascending

  void add(int offset, bool whole_word);
};

// Relevance of a search hit (higher is better), the same on both database engines: per query word, a
// whole-word match over a prefix-only one, an early one (the title comes first) over a late one, a few
// repeats; and a bonus for consecutive query words found side by side in order ("dark side" ranks "Dark
// Side of the Moon" first). In thousandths, as an integer.
std::int64_t search_score(std::span<const WordMatch> words);

// The matches of `words` in a folded, space-separated search text (for engines that cannot report them).
std::vector<WordMatch> match_words(std::string_view text, const std::vector<std::string>& words);

}  // namespace st::util
