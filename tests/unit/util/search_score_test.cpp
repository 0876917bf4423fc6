#include "util/search_score.hpp"

#include <gtest/gtest.h>

namespace st::util {
namespace {

std::int64_t score(std::string_view text, std::vector<std::string> words) {
  return search_score(match_words(text, words));
}

TEST(SearchScore, MatchWordsFindsWholeWordsAndPrefixesInOrder) {
  auto m = match_words("night of love lovely love", {"love", "nig", "zzz"});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].count, 3);
  EXPECT_EQ(m[0].first, 2);
  EXPECT_TRUE(m[0].whole);
  EXPECT_EQ(m[0].offsets[0], 2);
  EXPECT_EQ(m[0].offsets[1], 3);
  EXPECT_EQ(m[0].offsets[2], 4);
  EXPECT_EQ(m[1].count, 1);
  EXPECT_FALSE(m[1].whole);
  EXPECT_EQ(m[2].count, 0);
  EXPECT_EQ(m[2].first, -1);
  EXPECT_EQ(match_words("", {"a"})[0].count, 0);
  EXPECT_EQ(match_words("  a  b ", {"b"})[0].first, 1) << "runs of spaces are one separator";
}

TEST(SearchScore, WholeWordsEarlyAndSideBySideRankFirst) {
  EXPECT_GT(score("love artist album", {"love"}), score("lovely day artist album", {"love"}));
  EXPECT_GT(score("love artist album", {"love"}), score("night of love artist album", {"love"}));
  EXPECT_GT(score("night of love artist album", {"love"}), score("lovely day artist album", {"love"}))
      << "a whole word anywhere beats a prefix at the start";
  EXPECT_GT(score("dark side of the moon pink floyd", {"dark", "side"}),
            score("the side of dark pink floyd", {"dark", "side"}));
  EXPECT_GT(score("love love love x", {"love"}), score("love x y z", {"love"})) << "repeats count a little";
  EXPECT_EQ(score("love love love love love love", {"love"}), score("love love love love x y", {"love"}))
      << "but only a few";
  EXPECT_EQ(score("anything", {}), 0);
  EXPECT_EQ(score("abc", {"zzz"}), 0);
}

}  // namespace
}  // namespace st::util
