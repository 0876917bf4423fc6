#include <gtest/gtest.h>

#include "http/range.hpp"

using namespace st::http;

TEST(Range, SingleClosedRange) {
  auto r = parse_range("bytes=0-99", 1000);
  ASSERT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 99u);
  EXPECT_EQ(r.range.length(), 100u);
}

TEST(Range, OpenEndedAndClampedRanges) {
  auto r = parse_range("bytes=500-", 1000);
  ASSERT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.first, 500u);
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("bytes=900-5000", 1000);
  ASSERT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.last, 999u);
}

TEST(Range, SuffixRanges) {
  auto r = parse_range("bytes=-100", 1000);
  ASSERT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.first, 900u);
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("bytes=-5000", 1000);  // longer than the file: the whole file
  ASSERT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(parse_range("bytes=-0", 1000).kind, RangeKind::unsatisfiable);
}

TEST(Range, StartBeyondEndIsUnsatisfiable) {
  EXPECT_EQ(parse_range("bytes=1000-", 1000).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=2000-3000", 1000).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, RangeKind::unsatisfiable);
}

TEST(Range, HeadersWeMustIgnoreServeTheWholeBody) {
  for (auto h : {"items=0-1", "bytes=5-1", "bytes=abc", "bytes=0-1,5-6", "bytes=", "bytes=--1", "bytes=1-2-3",
                 "bytes=18446744073709551616-"}) {
    EXPECT_EQ(parse_range(h, 1000).kind, RangeKind::none) << h;
  }
}
