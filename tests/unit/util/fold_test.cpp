#include <gtest/gtest.h>

#include "util/fold.hpp"

using namespace st::util;

TEST(Fold, LowercasesAndRemovesDiacritics) {
  EXPECT_EQ(fold_for_search("Beyoncé"), "beyonce");
  EXPECT_EQ(fold_for_search("Café — Été"), "cafe ete");
  EXPECT_EQ(fold_for_search("Sigur Rós, Ærø & Łódź!"), "sigur ros aero lodz");
  EXPECT_EQ(fold_for_search("  AC/DC  "), "ac dc");
  EXPECT_EQ(fold_for_search("Don't Stop"), "dont stop");
  EXPECT_EQ(fold_for_search("Straße"), "strasse");
}

TEST(Fold, KeepsOtherScriptsAndSurvivesBadUtf8) {
  EXPECT_EQ(fold_for_search("坂本龍一"), "坂本龍一");
  EXPECT_EQ(fold_for_search("Кино"), "Кино");
  EXPECT_EQ(fold_for_search(std::string("ab\xff\xfe" "cd")), "ab cd");
  EXPECT_EQ(fold_for_search(std::string("\xe2\x82")), "");
}

TEST(Fold, SearchWords) {
  EXPECT_EQ(search_words("  Hello,   World! "), (std::vector<std::string>{"hello", "world"}));
  EXPECT_TRUE(search_words("?!.,;").empty());
  EXPECT_TRUE(search_words("").empty());
  EXPECT_EQ(search_words("a b c d e f g h i j k l m n o p q r s").size(), 16u);
}
