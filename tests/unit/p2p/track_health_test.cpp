// The track-health state machine and duplicate resolution (best copy), with kbps bitrates.
#include <gtest/gtest.h>

#include "library/best_copy.hpp"
#include "model/track_health.hpp"

using namespace st;
using model::CopyHealth;
using model::CopyState;

TEST(TrackHealth, ThreeConsecutiveFailuresDereference) {
  CopyState s;
  s = model::after_failure(s);
  EXPECT_EQ(s.health, CopyHealth::degraded);
  EXPECT_EQ(s.failed_attempts, 1);
  EXPECT_TRUE(s.is_available) << "a degraded copy is still a source";
  s = model::after_failure(s);
  EXPECT_EQ(s.health, CopyHealth::degraded);
  EXPECT_EQ(s.failed_attempts, 2);
  s = model::after_failure(s);
  EXPECT_EQ(s.health, CopyHealth::dereferenced);
  EXPECT_EQ(s.failed_attempts, 3);
  EXPECT_FALSE(s.is_available);
  s = model::after_failure(s);
  EXPECT_EQ(s.health, CopyHealth::dereferenced);
  EXPECT_FALSE(s.is_available);
}

TEST(TrackHealth, SuccessRecoversOrReReferences) {
  CopyState s;
  s = model::after_success(s);
  EXPECT_EQ(s.health, CopyHealth::healthy) << "nothing to recover from";
  s = model::after_success(model::after_failure(s));
  EXPECT_EQ(s.health, CopyHealth::recovered);
  EXPECT_EQ(s.failed_attempts, 0);
  EXPECT_TRUE(s.is_available);
  // A success between failures resets the count: failures must be consecutive.
  s = model::after_failure(model::after_failure(s));
  s = model::after_success(s);
  s = model::after_failure(model::after_failure(s));
  EXPECT_EQ(s.health, CopyHealth::degraded);
  s = model::after_failure(s);
  ASSERT_EQ(s.health, CopyHealth::dereferenced);
  s = model::after_success(s);
  EXPECT_EQ(s.health, CopyHealth::healthy) << "re-referenced when the content comes back";
  EXPECT_TRUE(s.is_available);
  EXPECT_EQ(s.failed_attempts, 0);
}

TEST(TrackHealth, AdminDereferenceIsNeverUndoneAutomatically) {
  CopyState s = model::after_admin_dereference(CopyState{});
  EXPECT_EQ(s.health, CopyHealth::dereferenced);
  EXPECT_FALSE(s.is_available);
  EXPECT_TRUE(s.admin_dereferenced);
  EXPECT_EQ(model::after_success(s), s);
  EXPECT_EQ(model::after_failure(s), s);
  s = model::after_admin_rereference(s);
  EXPECT_EQ(s, (CopyState{CopyHealth::healthy, 0, false, true}));
  // An admin can also bring back a copy that failed three times.
  auto failed = model::after_failure(model::after_failure(model::after_failure(CopyState{})));
  EXPECT_TRUE(model::after_admin_rereference(failed).is_available);
}

TEST(TrackHealth, StateNamesRoundTrip) {
  for (auto h : {CopyHealth::healthy, CopyHealth::recovered, CopyHealth::degraded, CopyHealth::dereferenced})
    EXPECT_EQ(model::parse_copy_health(model::to_string(h)), h);
  EXPECT_FALSE(model::parse_copy_health("fine"));
}

namespace {
model::SongCopy copy(std::string source, std::string format, std::optional<int> kbps, std::optional<int> rate,
                     bool online = true, bool available = true) {
  model::SongCopy c;
  c.source = std::move(source);
  c.format = std::move(format);
  c.bitrate = kbps;
  c.sample_rate = rate;
  c.online = online;
  c.available = available;
  return c;
}
}  // namespace

TEST(BestCopy, ScoreUsesKbpsFormatThenBitrateThenSampleRate) {
  EXPECT_EQ(library::format_score("FLAC"), 1000);
  EXPECT_EQ(library::format_score("aiff"), 900);
  EXPECT_EQ(library::format_score("opus"), 700);
  EXPECT_EQ(library::format_score("m4a"), 600);
  EXPECT_EQ(library::format_score("ogg"), 500);
  EXPECT_EQ(library::format_score("mp3"), 400);
  EXPECT_EQ(library::format_score("xm"), 300);
  // Bitrates are kbps: 320 kbps must outscore 128 kbps (the original divided kbps by 1000, i.e. ~0).
  EXPECT_GT(library::quality_score("mp3", 320, 44100), library::quality_score("mp3", 128, 44100));
  EXPECT_EQ(library::quality_score("mp3", 320, 44100), 400 + 320 + 44);
  EXPECT_EQ(library::quality_score("flac", 100000, 192000), 1000 + 500 + 192) << "capped";
  EXPECT_GT(library::quality_score("flac", 900, 48000), library::quality_score("flac", 900, 44100));
  EXPECT_EQ(library::quality_score("mp3", std::nullopt, std::nullopt), 400);
}

TEST(BestCopy, ReachableCopiesWinThenQuality) {
  std::vector<model::SongCopy> copies = {
      copy("p2p://a", "mp3", 128, 44100),
      copy("p2p://b", "flac", 1000, 44100, /*online=*/false),
      copy("p2p://c", "mp3", 320, 44100),
      copy("p2p://d", "flac", 1400, 96000, true, /*available=*/false),
  };
  EXPECT_EQ(library::best_copy(copies)->source, "p2p://c") << "online beats a better offline copy";
  copies[1].online = true;
  EXPECT_EQ(library::best_copy(copies)->source, "p2p://b");
  auto ranked = library::rank_copies(copies);
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].source, "p2p://b");
  EXPECT_EQ(ranked[1].source, "p2p://c");
  EXPECT_EQ(ranked[2].source, "p2p://a");
  EXPECT_EQ(ranked[3].source, "p2p://d") << "dereferenced copies come last";
  EXPECT_FALSE(library::best_copy({}));
}

TEST(BestCopy, StandInsAreOtherFilesOfTheSongBestFirst) {
  auto own = copy("p2p://a", "flac", 900, 44100);  // the track's own bytes on a peer
  own.track_id = "t1";
  own.hash = "h1";
  auto same_bytes = copy("p2p://b", "flac", 900, 44100);  // another holder of them: tried already
  same_bytes.track_id = "t1";
  same_bytes.hash = "h1";
  auto mp3 = copy("p2p://c", "mp3", 128, 44100);
  mp3.track_id = "t2";
  mp3.hash = "h2";
  auto local = copy("local", "flac", 900, 44100);  // the same bytes, but a file here
  local.track_id = "t3";
  local.hash = "h1";
  auto gone = copy("p2p://d", "flac", 1000, 96000, true, false);
  gone.track_id = "t4";
  gone.hash = "h4";
  auto mp3_twice = mp3;
  mp3_twice.source = "p2p://e";
  EXPECT_EQ(library::stand_in_tracks({own, same_bytes, mp3, local, gone, mp3_twice}, "t1", std::string("h1")),
            (std::vector<std::string>{"t3", "t2"}));
  EXPECT_TRUE(library::stand_in_tracks({own, same_bytes}, "t1", std::string("h1")).empty());
  EXPECT_TRUE(library::stand_in_tracks({}, "t1", std::nullopt).empty());
}

TEST(BestCopy, EqualCopiesPreferFewerFailuresThenLocalThenOldest) {
  auto a = copy("p2p://a", "flac", 900, 44100), b = copy("p2p://b", "flac", 900, 44100);
  a.created_at = 1;
  b.created_at = 2;
  EXPECT_EQ(library::best_copy({b, a})->source, "p2p://a");
  a.failed_attempts = 1;
  EXPECT_EQ(library::best_copy({a, b})->source, "p2p://b");
  auto local = copy("local", "flac", 900, 44100);
  local.created_at = 3;
  EXPECT_EQ(library::best_copy({a, b, local})->source, "local");
}
