#include "p2p/dht/bencode.hpp"

#include <gtest/gtest.h>

namespace st::p2p::dht {
namespace {

std::optional<BValue> decode(std::string_view in, std::string* why_out = nullptr) {
  std::string why;
  auto v = bdecode(in, why);
  if (why_out) *why_out = why;
  return v;
}

TEST(Bencode, RoundTripsEveryKind) {
  BValue v(BDict{{"b", BValue(BList{BValue(1), BValue(-42), BValue("xyz")})}, {"a", BValue("")},
                 {"c", BValue(BDict{{"n", BValue(std::int64_t{9223372036854775807})}})}});
  auto text = bencode(v);
  EXPECT_EQ(text, "d1:a0:1:bli1ei-42e3:xyze1:cd1:ni9223372036854775807eee");  // keys sorted
  auto back = decode(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(bencode(*back), text);
  EXPECT_EQ(*back->find("b")->list()->at(1).integer(), -42);
}

TEST(Bencode, BinaryStringsSurvive) {
  std::string bytes("\0\xff:e", 4);
  auto back = decode(bencode(BValue(bytes)));
  ASSERT_TRUE(back && back->string());
  EXPECT_EQ(*back->string(), bytes);
}

TEST(Bencode, UnsortedKeysAreAcceptedAndReencodedSorted) {
  auto v = decode("d1:bi2e1:ai1ee");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v->find_integer("a"), 1);
  EXPECT_EQ(bencode(*v), "d1:ai1e1:bi2ee");
}

TEST(Bencode, MalformedInputsAreRefused) {
  for (std::string_view bad : {"", "i", "ie", "i-e", "i-0e", "i03e", "i1x2e", "i99999999999999999999e", "3:ab",
                               "03:abc", "-1:a", "l", "d", "li1e", "d1:ai1e", "di1ei2ee", "x", "i1ei2e", "1:ab",
                               "99999999999:a", "4294967296:a", "d1:a", "l:e"}) {
    std::string why;
    EXPECT_FALSE(decode(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(Bencode, NestingBombsStopAtTheDepthLimit) {
  std::string ok = std::string(16, 'l') + std::string(16, 'e');
  EXPECT_TRUE(decode(ok));
  std::string deep = std::string(17, 'l') + std::string(17, 'e');
  std::string why;
  EXPECT_FALSE(decode(deep, &why));
  EXPECT_EQ(why, "nested too deeply");
  std::string bomb(100000, 'l');
  DecodeLimits big;
  big.max_bytes = 1 << 20;
  EXPECT_FALSE(bdecode(bomb, why, big));
  std::string dict_bomb;
  for (int i = 0; i < 50; ++i) dict_bomb += "d1:a";
  EXPECT_FALSE(decode(dict_bomb, &why));
}

TEST(Bencode, LimitsOnSizeAndItemCount) {
  DecodeLimits limits;
  limits.max_bytes = 10;
  std::string why;
  EXPECT_FALSE(bdecode("11:hello world", why, limits));
  EXPECT_EQ(why, "input too large");
  limits = {};
  limits.max_items = 3;
  EXPECT_TRUE(bdecode("li1ei2ee", why, limits));
  EXPECT_FALSE(bdecode("li1ei2ei3ee", why, limits));
  EXPECT_EQ(why, "too many items");
}

TEST(Bencode, HugeStringLengthsDoNotAllocate) {
  std::string why;
  EXPECT_FALSE(decode("9999999999:x", &why));
  EXPECT_EQ(why, "string longer than the input");
}

}  // namespace
}  // namespace st::p2p::dht
