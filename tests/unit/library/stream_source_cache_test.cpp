#include "library/stream_source_cache.hpp"

#include <gtest/gtest.h>

using namespace st;
using namespace std::chrono_literals;
using Clock = library::StreamSourceCache::Clock;

namespace {
model::StreamSource source(std::string path) { return model::StreamSource{std::move(path), "mp3", std::nullopt, 60}; }
}  // namespace

TEST(StreamSourceCache, RemembersForItsTimeToLiveOnly) {
  library::StreamSourceCache cache(5s, 16);
  auto t0 = Clock::now();
  EXPECT_FALSE(cache.find("a", t0));
  cache.put("a", source("/music/a.mp3"), t0);
  ASSERT_TRUE(cache.find("a", t0 + 4s));
  EXPECT_EQ(cache.find("a", t0 + 4s)->path, "/music/a.mp3");
  EXPECT_FALSE(cache.find("a", t0 + 5s)) << "expired";
  cache.put("a", source("/music/moved.mp3"), t0 + 5s);
  EXPECT_EQ(cache.find("a", t0 + 6s)->path, "/music/moved.mp3") << "a new lookup replaces the old one";
}

TEST(StreamSourceCache, ForgetsAtOnce) {
  library::StreamSourceCache cache(5s, 16);
  cache.put("a", source("/a"));
  cache.put("b", source("/b"));
  cache.forget("a");
  EXPECT_FALSE(cache.find("a"));
  EXPECT_TRUE(cache.find("b"));
}

TEST(StreamSourceCache, StaysWithinItsCapacity) {
  library::StreamSourceCache cache(5s, 4);
  auto t0 = Clock::now();
  for (int i = 0; i < 4; ++i) cache.put(std::to_string(i), source("/f"), t0);
  EXPECT_EQ(cache.size(), 4u);
  // Full of fresh entries: a new one starts over rather than grow.
  cache.put("new", source("/n"), t0 + 1s);
  EXPECT_LE(cache.size(), 4u);
  EXPECT_TRUE(cache.find("new", t0 + 1s));
  // Full with expired entries: those go, the fresh stay.
  library::StreamSourceCache c2(5s, 3);
  c2.put("old", source("/o"), t0);
  c2.put("fresh1", source("/f1"), t0 + 4s);
  c2.put("fresh2", source("/f2"), t0 + 4s);
  c2.put("newest", source("/n"), t0 + 6s);
  EXPECT_FALSE(c2.find("old", t0 + 6s));
  EXPECT_TRUE(c2.find("fresh1", t0 + 6s));
  EXPECT_TRUE(c2.find("newest", t0 + 6s));
  EXPECT_EQ(c2.size(), 3u);
}
