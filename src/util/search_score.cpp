#include "util/search_score.hpp"

#include <algorithm>
#include <cmath>

namespace st::util {

void WordMatch::add(int offset, bool whole_word) {
  if (count < static_cast<int>(offsets.size())) offsets[static_cast<std::size_t>(count)] = offset;
  if (first < 0 || offset < first) first = offset;
  whole = whole || whole_word;
  ++count;
}

std::int64_t search_score(std::span<const WordMatch> words) {
  double score = 0;
  const WordMatch* prev = nullptr;
  for (const auto& w : words) {
    if (w.count == 0) {
      prev = nullptr;
      continue;
    }
    score += 1.0 + (w.whole ? 1.0 : 0.0) + 1.0 / (1.0 + w.first) + 0.1 * std::min(w.count - 1, 3);
    if (prev) {
      int n = std::min<int>(prev->count, 4), m = std::min<int>(w.count, 4);
      bool adjacent = false;
      for (int i = 0; i < n && !adjacent; ++i)
        for (int j = 0; j < m && !adjacent; ++j)
          adjacent = w.offsets[static_cast<std::size_t>(j)] == prev->offsets[static_cast<std::size_t>(i)] + 1;
      if (adjacent) score += 0.75;
    }
    prev = &w;
  }
  return std::llround(score * 1000);
}

std::vector<WordMatch> match_words(std::string_view text, const std::vector<std::string>& words) {
  std::vector<WordMatch> out(words.size());
  int offset = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) {
      auto token = text.substr(start, end - start);
      for (std::size_t i = 0; i < words.size(); ++i)
        if (token.starts_with(words[i])) out[i].add(offset, token.size() == words[i].size());
      ++offset;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace st::util
