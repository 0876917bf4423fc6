#include "library/lyrics_cache.hpp"

#include <gtest/gtest.h>

#include "model/errors.hpp"

using namespace st;
using namespace std::chrono_literals;
using Clock = library::LyricsCache::Clock;

namespace {
library::RemoteLyrics found(std::string text) { return {std::move(text), std::string("musixmatch")}; }
library::RemoteLyrics none() { return {std::nullopt, std::string("musixmatch")}; }
}  // namespace

TEST(LyricsCache, AsksOncePerKeyForHitsAndMisses) {
  library::LyricsCache cache(16, 24h, 1h, 2);
  int asked = 0;
  auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.get("a", [&] { ++asked; return found("la"); }, t0).text, "la");
    EXPECT_FALSE(cache.get("b", [&] { ++asked; return none(); }, t0).text);
  }
  EXPECT_EQ(asked, 2);
  cache.get("a", [&] { ++asked; return found("la"); }, t0 + 23h);
  cache.get("b", [&] { ++asked; return none(); }, t0 + 59min);
  EXPECT_EQ(asked, 2) << "still fresh";
  cache.get("b", [&] { ++asked; return none(); }, t0 + 1h);
  EXPECT_EQ(asked, 3) << "a miss is remembered for less long";
  cache.get("a", [&] { ++asked; return found("la"); }, t0 + 24h);
  EXPECT_EQ(asked, 4);
}

TEST(LyricsCache, FailuresAreNotRememberedAndSizeIsBounded) {
  library::LyricsCache cache(3, 24h, 1h, 2);
  auto t0 = Clock::now();
  EXPECT_THROW(cache.get("x", []() -> library::RemoteLyrics { throw std::runtime_error("down"); }, t0),
               std::runtime_error);
  EXPECT_EQ(cache.size(), 0u);
  for (int i = 0; i < 10; ++i) cache.get(std::to_string(i), [] { return none(); }, t0);
  EXPECT_EQ(cache.size(), 3u);
  int asked = 0;
  cache.get("9", [&] { ++asked; return none(); }, t0);
  cache.get("0", [&] { ++asked; return none(); }, t0);
  EXPECT_EQ(asked, 1) << "the newest are kept, the oldest evicted";
}

TEST(LyricsCache, LookupsBeyondTheBoundAreTurnedAway) {
  library::LyricsCache cache(16, 24h, 1h, 1);
  bool refused = false;
  cache.get("a", [&] {
    try {
      cache.get("b", [] { return none(); });  // while "a" still waits on the provider
    } catch (const model::DomainError& e) {
      refused = e.kind() == model::ErrorKind::unavailable && e.retry_after_seconds() > 0;
    }
    return none();
  });
  EXPECT_TRUE(refused);
  EXPECT_NO_THROW(cache.get("b", [] { return none(); })) << "the slot is free again";
}
