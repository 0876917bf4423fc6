// The bounded buffer behind /api/admin/p2p/logs.
#include <gtest/gtest.h>

#include "util/log_ring.hpp"

using namespace st;

TEST(LogRing, KeepsTheLatestEventsAndFiltersByLevel) {
  util::LogRing ring(3);
  for (int i = 0; i < 5; ++i) ring.push({i, i % 2 ? "WARN" : "INFO", "soundtime::p2p", "event " + std::to_string(i)});
  EXPECT_EQ(ring.size(), 3u) << "bounded: the oldest are dropped";
  auto all = ring.recent(std::nullopt, std::nullopt);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().message, "event 2");
  EXPECT_EQ(all.back().message, "event 4");
  auto warn = ring.recent(std::string("warn"), std::nullopt);
  ASSERT_EQ(warn.size(), 1u) << "level matched case-insensitively";
  EXPECT_EQ(warn[0].message, "event 3");
  auto last = ring.recent(std::nullopt, 2);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].message, "event 3") << "limit keeps the last N, oldest first";
  EXPECT_TRUE(ring.recent(std::string("ERROR"), std::nullopt).empty());
  ring.clear();
  EXPECT_EQ(ring.size(), 0u);
}
