// The catalogue Bloom filter: SipHash, the original's sizing and bit layout, term normalisation, and
// query matching (folded words and prefixes, the original's raw tokens).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "p2p/bloom_filter.hpp"
#include "p2p/search_index.hpp"

using namespace st::p2p;

namespace {

BloomFilter with_terms(std::initializer_list<const char*> texts) {
  auto f = BloomFilter::with_random_keys(0);
  std::vector<std::string> terms;
  for (const char* t : texts) bloom_terms(t, terms);
  for (const auto& t : terms) f.insert(t);
  return f;
}

}  // namespace

TEST(SipHash, MatchesTheReferenceVectorWithTwoFourRounds) {
  // The SipHash paper's test vector: key 00..0f, message 00..0e.
  std::string msg;
  for (int i = 0; i < 15; ++i) msg.push_back(static_cast<char>(i));
  EXPECT_EQ(siphash(2, 4, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, msg), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(siphash(2, 4, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, ""), 0x726fdb47dd0e0e31ULL);
  // 1-3 is a different function of the same input; the str form appends 0xFF.
  EXPECT_NE(siphash(1, 3, 1, 2, "abc"), siphash(2, 4, 1, 2, "abc"));
  EXPECT_EQ(siphash13_str(1, 2, "abc"), siphash(1, 3, 1, 2, std::string("abc\xff", 4)));
  // Values printed by Rust's own SipHasher13::new_with_keys(1, 2) hashing a str (nightly, once).
  EXPECT_EQ(siphash13_str(1, 2, "abc"), 0x918ef7d8570bcbf0ULL);
  EXPECT_EQ(siphash13_str(1, 2, "rock"), 0x14b40fddc168856bULL);
  EXPECT_EQ(siphash13_str(1, 2, "beyoncé"), 0xbbc508ac68c8faf5ULL);
  EXPECT_EQ(siphash13_str(1, 2, ""), 0xc140be183c1a304bULL);
}

TEST(BloomFilter, HasTheOriginalsSizeForOneHundredThousandItems) {
  auto f = BloomFilter::with_random_keys(10);
  EXPECT_EQ(f.bitmap_bytes(), 119814u);
  EXPECT_EQ(f.bitmap_bits(), 958512u);
  EXPECT_EQ(f.num_hashes(), 7u);
  auto big = BloomFilter::with_random_keys(200000);
  EXPECT_EQ(big.bitmap_bits() / 8, 239627u);
  auto huge = BloomFilter::with_random_keys(100000000);
  EXPECT_EQ(huge.bitmap_bytes(), BloomFilter::kMaxBitmapBytes);
}

TEST(BloomFilter, SetsTheBitsTheCrateSetsMsbFirst) {
  SipKeys keys{{{1, 2}, {3, 4}}};
  BloomFilter f(100000, 0.01, keys);
  f.insert("rock");
  auto w = f.to_wire();
  std::uint64_t h0 = siphash13_str(1, 2, "rock"), h1 = siphash13_str(3, 4, "rock");
  std::vector<std::uint64_t> want{h0 % w.bitmap_bits, h1 % w.bitmap_bits};
  for (std::uint64_t i = 2; i < w.num_hashes; ++i) want.push_back(((h0 + i * h1) % 0xFFFFFFFFFFFFFFC5ULL) % w.bitmap_bits);
  std::size_t set = 0;
  for (auto b : w.bitmap)
    for (int i = 0; i < 8; ++i) set += (b >> i) & 1;
  EXPECT_LE(set, want.size());
  for (auto bit : want) EXPECT_TRUE(w.bitmap[bit / 8] & (0x80 >> (bit % 8))) << bit;
  EXPECT_EQ(w.item_count, 1u);
  EXPECT_EQ(w.sip_keys.size(), 2u);
}

TEST(BloomFilter, RoundTripsThroughTheWireAndRefusesNonsense) {
  auto f = with_terms({"Bohemian Rhapsody", "Queen"});
  std::string why;
  auto g = BloomFilter::from_wire(f.to_wire(), &why);
  ASSERT_TRUE(g) << why;
  EXPECT_TRUE(g->contains("queen"));
  EXPECT_FALSE(g->contains("zeppelin"));
  auto bad = f.to_wire();
  bad.sip_keys.pop_back();
  EXPECT_FALSE(BloomFilter::from_wire(bad, &why));
  EXPECT_EQ(why, "sip_keys must hold two key pairs");
  bad = f.to_wire();
  bad.bitmap_bits = bad.bitmap.size() * 8 + 1;
  EXPECT_FALSE(BloomFilter::from_wire(bad, &why));
  bad = f.to_wire();
  bad.num_hashes = 0;
  EXPECT_FALSE(BloomFilter::from_wire(bad, &why));
}

TEST(BloomFilter, FalsePositiveRateStaysNearOnePercentAtCapacity) {
  auto f = BloomFilter::with_random_keys(0);
  for (int i = 0; i < 100000; ++i) f.insert("term" + std::to_string(i));
  int fp = 0;
  for (int i = 0; i < 20000; ++i) fp += f.contains("other" + std::to_string(i));
  EXPECT_LT(fp, 20000 * 0.015);
  for (int i = 0; i < 100000; i += 997) EXPECT_TRUE(f.contains("term" + std::to_string(i)));
}

TEST(BloomTerms, FoldsCasePunctuationAndDiacriticsAndKeepsRawTokens) {
  std::vector<std::string> t;
  bloom_terms("Beyoncé Rock, ÉTÉ", t);
  auto has = [&](const std::string& s) { return std::find(t.begin(), t.end(), s) != t.end(); };
  EXPECT_TRUE(has("beyonce"));
  EXPECT_TRUE(has("be"));      // prefixes, for prefix queries
  EXPECT_TRUE(has("beyon"));
  EXPECT_TRUE(has("rock"));
  EXPECT_TRUE(has("ete"));
  EXPECT_TRUE(has("beyoncé"));  // the original's raw, lowercased tokens
  EXPECT_TRUE(has("rock,"));
  EXPECT_TRUE(has("été"));
  EXPECT_FALSE(has("b"));
  EXPECT_FALSE(has("Beyoncé"));
}

TEST(BloomTerms, ASetOfManyTextsHoldsEachTextsTermsOnce) {
  // Words repeat across texts, in other cases and spellings, as prefixes of longer words and inside
  // words past the prefix cap; the set must hold exactly the distinct terms bloom_terms gives each text.
  const char* texts[] = {"Crazy in Love", "crazy IN love!", "Beyoncé", "BEYONCE", "Be", "Beyond the Sea",
                         "Supercalifragilisticexpialidocious and more", "supercalifragilisticexpialidociously",
                         "Été", "ete", "Rock, Paper", "rock paper", "Ωmega", "", "   ", "a b c"};
  std::set<std::string> want;
  BloomTermSet set;
  bool recurring = false;
  for (const char* t : texts) {
    std::vector<std::string> terms;
    bloom_terms(t, terms);
    want.insert(terms.begin(), terms.end());
    if ((recurring = !recurring)) {
      set.add_recurring(t);
      set.add_recurring(t);  // a name met again: nothing new
    } else {
      set.add(t);
    }
  }
  std::set<std::string> got;
  set.for_each([&](std::string_view t) { EXPECT_TRUE(got.emplace(t).second) << t; });
  EXPECT_EQ(got, want);
  EXPECT_EQ(set.size(), want.size());
  EXPECT_TRUE(got.count("supercalifragilisticexpialidociously"));  // the long word whole, past the cap
  EXPECT_TRUE(got.count("rock,"));
}

TEST(BloomQuery, MatchesFoldedWordsPrefixesAndTheOriginalsTokens) {
  auto f = with_terms({"Crazy in Love", "Beyoncé", "Dangerously in Love"});
  EXPECT_TRUE(bloom_matches_query(f, "beyonce"));
  EXPECT_TRUE(bloom_matches_query(f, "BEYONCÉ crazy"));
  EXPECT_TRUE(bloom_matches_query(f, "beyon"));        // a prefix, as our search matches it
  EXPECT_TRUE(bloom_matches_query(f, "love, crazy!"));  // punctuation is not part of a word
  EXPECT_TRUE(bloom_matches_query(f, "a"));            // one letter does not narrow
  EXPECT_TRUE(bloom_matches_query(f, ""));
  EXPECT_FALSE(bloom_matches_query(f, "beyonce metallica"));  // every word must match
  EXPECT_FALSE(bloom_matches_query(f, "metallica"));

  // A filter built the original's way (raw lowercased tokens only) still answers our queries when the
  // user types the word as it is written.
  auto orig = BloomFilter::with_random_keys(0);
  for (const char* t : {"beyoncé", "rock,", "love"}) orig.insert(t);
  EXPECT_TRUE(bloom_matches_query(orig, "Beyoncé love"));
  EXPECT_TRUE(bloom_matches_query(orig, "rock,"));
  EXPECT_FALSE(bloom_matches_query(orig, "metallica"));
}

TEST(BloomQuery, LongWordsMatchThroughTheirCappedPrefix) {
  std::string longw(40, 'x');
  auto f = with_terms({("Title " + longw).c_str()});
  EXPECT_TRUE(bloom_matches_query(f, longw));
  EXPECT_TRUE(bloom_matches_query(f, longw.substr(0, 35)));
  EXPECT_TRUE(bloom_matches_query(f, longw.substr(0, 10)));
  EXPECT_FALSE(bloom_matches_query(f, "titles"));
}

TEST(SearchIndex, RefusesABadPeerFilterAndAnswersUnknownForPeersWithout) {
  SearchIndex idx;
  auto f = with_terms({"Queen"});
  EXPECT_FALSE(idx.set_peer("a", f.to_wire()));
  EXPECT_EQ(idx.may_match("a", "queen"), std::optional<bool>(true));
  EXPECT_EQ(idx.may_match("a", "abba"), std::optional<bool>(false));
  EXPECT_EQ(idx.may_match("b", "queen"), std::nullopt);
  auto bad = f.to_wire();
  bad.bitmap.clear();
  EXPECT_TRUE(idx.set_peer("c", bad));
  EXPECT_EQ(idx.peer_filter_count(), 1u);
  idx.forget("a");
  EXPECT_EQ(idx.may_match("a", "queen"), std::nullopt);
}

// Issue 17, item 10: peers' filters together stay within a byte quota; replacing one's filter frees its old one.
TEST(SearchIndex, PeersFiltersStayWithinTheQuota) {
  auto f = with_terms({"Queen"});
  auto bytes = f.bitmap_bytes();
  SearchIndex idx(bytes * 3);
  for (const char* n : {"a", "b", "c"}) EXPECT_FALSE(idx.set_peer(n, f.to_wire())) << n;
  EXPECT_TRUE(idx.set_peer("d", f.to_wire())) << "a fourth one is over the quota";
  EXPECT_EQ(idx.may_match("d", "queen"), std::nullopt);
  EXPECT_EQ(idx.peer_filter_count(), 3u);
  EXPECT_EQ(idx.peer_filter_bytes(), bytes * 3);
  EXPECT_FALSE(idx.set_peer("a", f.to_wire())) << "a peer may replace its own";
  idx.forget("b");
  EXPECT_EQ(idx.peer_filter_bytes(), bytes * 2);
  EXPECT_FALSE(idx.set_peer("d", f.to_wire()));
  EXPECT_EQ(idx.may_match("d", "queen"), std::optional<bool>(true));
}
