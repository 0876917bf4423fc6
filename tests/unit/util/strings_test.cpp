#include <gtest/gtest.h>

#include "util/log_text.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

using namespace st::util;

TEST(Strings, PercentDecodeHandlesEscapesAndRejectsMalformedOnes) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  EXPECT_EQ(percent_decode("%41", false), "A");
}

TEST(Strings, ParseIntIsStrict) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int("-7"), -7);
  EXPECT_FALSE(parse_int(""));
  EXPECT_FALSE(parse_int("4 2"));
  EXPECT_FALSE(parse_int("12abc"));
  EXPECT_FALSE(parse_int("99999999999999999999999"));
}

TEST(Strings, ParseBool) {
  EXPECT_EQ(parse_bool("TRUE"), true);
  EXPECT_EQ(parse_bool(" off "), false);
  EXPECT_FALSE(parse_bool("maybe"));
}

TEST(Strings, HexRoundTrip) {
  const unsigned char b[] = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(b, 3), "00abff");
  EXPECT_EQ(from_hex("00ABff"), std::string("\x00\xab\xff", 3));
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
}

TEST(Strings, EscapeForLogLeavesNoControlCharacter) {
  EXPECT_EQ(escape_for_log("/api/x"), "/api/x");
  EXPECT_EQ(escape_for_log("/a\nb\rc\td"), "/a\\nb\\rc\\td");
  EXPECT_EQ(escape_for_log(std::string_view("\x01\x1b\x7f", 3)), "\\x01\\x1b\\x7f");
  EXPECT_EQ(escape_for_log("a\\nb"), "a\\\\nb");  // a literal backslash-n stays distinguishable
  EXPECT_EQ(escape_for_log("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes through
}

TEST(Strings, AppendUtf8EncodesEachLengthAtItsBoundaries) {
  std::string out;
  for (std::uint32_t cp : {0x41u, 0x7Fu, 0x80u, 0xE9u, 0x7FFu, 0x800u, 0x20ACu, 0xFFFFu, 0x10000u, 0x1F3B5u, 0x10FFFFu})
    append_utf8(out, cp);
  EXPECT_EQ(out, "A\x7f\xc2\x80\xc3\xa9\xdf\xbf\xe0\xa0\x80\xe2\x82\xac\xef\xbf\xbf\xf0\x90\x80\x80\xf0\x9f\x8e\xb5\xf4\x8f\xbf\xbf");
}

TEST(Time, FormatsRfc3339AndHttpDates) {
  EXPECT_EQ(to_rfc3339(1'700'000'000'123'456), "2023-11-14T22:13:20.123456+00:00");
  EXPECT_EQ(to_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
}
