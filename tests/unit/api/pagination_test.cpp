// The shared parser of per_page, limit and count query parameters.
#include "api/pagination.hpp"

#include <gtest/gtest.h>

namespace st::api {
namespace {

CountParse parse(std::optional<std::string_view> raw) { return parse_count("per_page", raw, 20, 100); }

TEST(ParseCount, MissingOrEmptyGivesTheDefault) {
  EXPECT_EQ(parse(std::nullopt).value, 20);
  EXPECT_TRUE(parse(std::nullopt).error.empty());
  EXPECT_EQ(parse("").value, 20);
}

TEST(ParseCount, ValuesWithinRangeAreKept) {
  EXPECT_EQ(parse("1").value, 1);
  EXPECT_EQ(parse("37").value, 37);
  EXPECT_EQ(parse("100").value, 100);
}

TEST(ParseCount, ValuesAboveTheMaximumAreClamped) {
  // The original web app asks for favorites with per_page=200 and expects an answer.
  auto r = parse("200");
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.value, 100);
  EXPECT_EQ(parse("101").value, 100);
  EXPECT_EQ(parse("99999999999999999999999").value, 100);  // beyond int64: still clamped, not refused
}

TEST(ParseCount, ValuesBelowOneOrNotNumbersAreRefused) {
  for (std::string_view bad : {"0", "-1", "-99999999999999999999999", "abc", "1.5", "10x", " 5", "+5", "0x10"}) {
    auto r = parse(bad);
    EXPECT_FALSE(r.error.empty()) << bad;
    EXPECT_NE(r.error.find("per_page"), std::string::npos) << r.error;
  }
}

TEST(ParseCount, TheMessageNamesTheParameter) {
  auto r = parse_count("limit", "0", 20, 100);
  EXPECT_NE(r.error.find("limit"), std::string::npos);
}

}  // namespace
}  // namespace st::api
