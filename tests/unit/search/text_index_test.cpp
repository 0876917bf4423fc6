#include "search/text_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "search/term_dictionary.hpp"
#include "util/search_score.hpp"

namespace st::search {
namespace {

using Words = std::vector<std::string>;

// The ranking the index must give, computed the slow way from the texts themselves.
TextIndex::Result brute_force(const std::map<std::uint32_t, std::string>& docs, const Words& words, std::size_t offset,
                              std::size_t limit) {
  std::vector<TextIndex::Hit> hits;
  for (const auto& [doc, text] : docs) {
    auto m = util::match_words(text, words);
    if (std::all_of(m.begin(), m.end(), [](const util::WordMatch& w) { return w.count > 0; }))
      hits.push_back({util::search_score(m), doc});
  }
  std::sort(hits.begin(), hits.end(),
            [](const auto& a, const auto& b) { return a.score != b.score ? a.score > b.score : a.doc < b.doc; });
  TextIndex::Result r;
  r.total = hits.size();
  for (auto i = offset; i < hits.size() && i < offset + limit; ++i) r.hits.push_back(hits[i]);
  return r;
}

void expect_same(const TextIndex::Result& got, const TextIndex::Result& want, const Words& words) {
  std::string q;
  for (const auto& w : words) q += w + " ";
  ASSERT_EQ(got.total, want.total) << q;
  ASSERT_EQ(got.hits.size(), want.hits.size()) << q;
  for (std::size_t i = 0; i < got.hits.size(); ++i) {
    EXPECT_EQ(got.hits[i].doc, want.hits[i].doc) << q << " at " << i;
    EXPECT_EQ(got.hits[i].score, want.hits[i].score) << q << " at " << i;
  }
}

TEST(TermDictionary, NumbersWordsOnceAndFindsThemByPrefix) {
  TermDictionary d;
  EXPECT_EQ(d.find("love"), TermDictionary::npos);
  auto love = d.intern("love");
  EXPECT_EQ(d.intern("love"), love);
  auto lovely = d.intern("lovely");
  d.intern("night");
  EXPECT_EQ(d.find("lovely"), lovely);
  EXPECT_EQ(d.text(lovely), "lovely");
  auto lo = d.with_prefix("lo");
  std::sort(lo.begin(), lo.end());
  EXPECT_EQ(lo, (std::vector<std::uint32_t>{love, lovely}));
  EXPECT_TRUE(d.with_prefix("lovers").empty());
  // Thousands of words: the ordered list is merged along the way and after settle().
  for (int i = 0; i < 5000; ++i) d.intern("w" + std::to_string(i));
  EXPECT_EQ(d.with_prefix("w49").size(), 111u);  // w49, w490..w499, w4900..w4999
  d.settle();
  EXPECT_EQ(d.with_prefix("w49").size(), 111u);
  EXPECT_EQ(d.find("w4999"), d.intern("w4999"));
  EXPECT_EQ(d.size(), 5003u);
}

TEST(TextIndex, RanksWholeEarlyAndAdjacentWordsFirst) {
  TextIndex ix;
  ix.put(1, "the dark side of the moon pink floyd");
  ix.put(2, "darkness on the edge of town bruce springsteen");
  ix.put(3, "side by side dark");
  ix.put(4, "moonlight");
  auto r = ix.query(Words{"dark", "side"}, 0, 10);
  ASSERT_EQ(r.total, 2u);
  EXPECT_EQ(r.hits[0].doc, 1u);  // "dark side" side by side
  EXPECT_EQ(r.hits[1].doc, 3u);
  EXPECT_EQ(ix.query(Words{"dark"}, 0, 10).total, 3u);  // a prefix of "darkness" too
  EXPECT_EQ(ix.query(Words{"moon"}, 0, 10).total, 2u);
  EXPECT_EQ(ix.query(Words{"moons"}, 0, 10).total, 0u);
  EXPECT_EQ(ix.query(Words{"dark", "zebra"}, 0, 10).total, 0u);
  EXPECT_EQ(ix.query(Words{}, 0, 10).total, 0u);
  // A window past the end: the total, no hits.
  r = ix.query(Words{"dark"}, 5, 10);
  EXPECT_EQ(r.total, 3u);
  EXPECT_TRUE(r.hits.empty());
}

// Documents far apart (distances of 4-byte varints), words late in long texts (a posting's position is kept
// up to 63) and repeated, and a document added below a list's end agree with scoring the texts, before and
// after settling.
TEST(TextIndex, FarDocumentsAndLatePositionsAgreeWithScoringTheTexts) {
  std::string filler;
  for (int i = 0; i < 70; ++i) filler += "filler" + std::to_string(i) + " ";
  const std::vector<std::pair<std::uint32_t, std::string>> puts = {
      {0, "alpha beta"},
      {1, filler + "alpha"},
      {2, "beta alpha alpha alpha alpha alpha"},
      {200, "one two three four five six seven alpha beta beta"},
      {(1u << 24) + 5, "beta " + filler + "alpha alpha"},
      {3'000'000, "gamma alpha"},  // below the lists' ends: kept aside until settled
      {1, "alpha " + filler},      // replaced
  };
  TextIndex ix;
  std::map<std::uint32_t, std::string> docs;
  for (const auto& [doc, text] : puts) {
    ix.put(doc, text);
    docs[doc] = text;
  }
  const std::vector<Words> queries = {{"alpha"},   {"beta"},    {"alpha", "beta"},     {"filler6"}, {"filler69", "alpha"},
                                      {"gamma"},   {"filler"},  {"beta", "filler0"},   {"seven", "alpha"}};
  for (int settled = 0; settled < 2; ++settled) {
    for (const auto& q : queries) expect_same(ix.query(q, 0, 10), brute_force(docs, q, 0, 10), q);
    ix.settle();
  }
}

// A quiet server gives the query scratch kept between queries back (db/idle_memory.cpp); queries after
// that take new scratch and answer the same.
TEST(TextIndex, SpareQueryScratchIsGivenBackAndQueriesStillAnswer) {
  TextIndex ix;
  for (std::uint32_t d = 1; d <= 20000; ++d) ix.put(d, "night song " + std::to_string(d % 97) + " love");
  TextIndex::release_spare_scratch();  // what other tests left
  auto before = ix.query(Words{"night", "love"}, 100, 10);
  EXPECT_EQ(before.total, 20000u);
  EXPECT_GT(TextIndex::release_spare_scratch(), 0u) << "a query leaves its scratch for the next";
  EXPECT_EQ(TextIndex::release_spare_scratch(), 0u);
  auto after = ix.query(Words{"night", "love"}, 100, 10);
  ASSERT_EQ(after.hits.size(), before.hits.size());
  for (std::size_t i = 0; i < after.hits.size(); ++i) EXPECT_EQ(after.hits[i].doc, before.hits[i].doc);
}

TEST(TextIndex, ReplacedAndErasedDocumentsNoLongerMatch) {
  TextIndex ix;
  ix.put(7, "blue monday");
  ix.put(3, "blue moon");
  ix.put(9, "red moon");
  ix.put(7, "true faith");  // replaced: its old words no longer find it
  EXPECT_EQ(ix.query(Words{"monday"}, 0, 10).total, 0u);
  EXPECT_EQ(ix.query(Words{"faith"}, 0, 10).hits.at(0).doc, 7u);
  ix.erase(3);
  ix.erase(3);  // twice: no effect
  EXPECT_EQ(ix.query(Words{"blue"}, 0, 10).total, 0u);
  EXPECT_EQ(ix.size(), 2u);
  ix.put(3, "blue moon");  // back, below the end of its lists
  EXPECT_EQ(ix.query(Words{"moon"}, 0, 10).total, 2u);
  ix.settle();
  EXPECT_EQ(ix.query(Words{"moon"}, 0, 10).total, 2u);
  EXPECT_FALSE(ix.contains(5));
  EXPECT_THROW(ix.put(TextIndex::kMaxDoc + 1, "too far"), std::out_of_range);
}

TEST(TextIndex, EmptyTextsAndRepeatedSpacesHoldNoWords) {
  TextIndex ix;
  ix.put(1, "");
  ix.put(2, "  a   b ");
  EXPECT_TRUE(ix.contains(1));
  EXPECT_EQ(ix.query(Words{"a", "b"}, 0, 10).total, 1u);
  EXPECT_EQ(ix.query(Words{"a", "b"}, 0, 10).hits[0].score, brute_force({{2, "  a   b "}}, {"a", "b"}, 0, 1).hits[0].score);
}

// Random documents, changes and queries against the ranking computed from the texts: totals, order and
// scores agree through replacements, erasures, out-of-order additions, settles (with their rebuilds and
// compactions) and windows.
TEST(TextIndex, AgreesWithScoringTheTextsThroughChanges) {
  std::mt19937 rng(42);
  const std::vector<std::string> vocab = {"love", "lovely", "lover", "night", "nightfall", "dream", "dreams", "fire",
                                          "blue", "blues", "light", "lights", "gold", "golden", "river", "rain",
                                          "l", "lo", "n", "1", "12", "123"};
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  auto text = [&] {
    std::string t;
    auto n = pick(9);
    for (std::size_t i = 0; i < n; ++i) t += (i ? " " : "") + vocab[pick(vocab.size())];
    if (pick(5) == 0) t += " w" + std::to_string(pick(3000));  // a long tail of rare words
    return t;
  };
  const std::vector<Words> queries = {{"lo"},         {"love"},     {"l", "n"},        {"night", "love"},
                                      {"dream", "d"}, {"blue"},     {"gold", "golden"}, {"1"},
                                      {"12", "lo"},   {"w1"},       {"w12", "l"},      {"rain", "river", "fire"},
                                      {"zzz"},        {"lovelier"}, {"l", "l"},        {"n", "r", "d", "b"}};
  TextIndex ix;
  std::map<std::uint32_t, std::string> docs;
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 400; ++i) {
      auto doc = static_cast<std::uint32_t>(pick(6000));
      if (pick(6) == 0) {
        ix.erase(doc);
        docs.erase(doc);
      } else {
        auto t = text();
        ix.put(doc, t);
        docs[doc] = t;
      }
    }
    if (round % 3 == 0) ix.settle();
    for (const auto& q : queries) {
      auto offset = pick(3) == 0 ? pick(50) : 0;
      auto limit = pick(8) == 0 ? 0 : 1 + pick(30);
      expect_same(ix.query(q, offset, limit), brute_force(docs, q, offset, limit), q);
    }
    ASSERT_EQ(ix.size(), docs.size());
  }
}

}  // namespace
}  // namespace st::search
