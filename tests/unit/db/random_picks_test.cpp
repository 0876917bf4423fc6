// Random songs and albums drawn by probes of the random key (migration 0018): distinct picks, filters
// honoured, every row drawn in the long run (none all but unreachable), small sets still answered, and
// rows inserted by something other than the repository get a key too.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "db/repositories.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class RandomPicks : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    catalog_ = db::make_catalog_repository(db_.pool());
    model::Artist a{util::new_uuid(), "Artist", std::nullopt, {}, {}, util::now_micros()};
    artist_ = catalog_->upsert_artist("name:artist", a);
  }

  // n tracks on n / 10 albums; every third track is "Rock", the others "Jazz".
  void fill(int n) {
    std::vector<model::Track> batch;
    for (int i = 0; i < n; ++i) {
      if (i % 10 == 0) {
        model::Album al;
        al.id = util::new_uuid();
        al.title = "Album " + std::to_string(i / 10);
        al.artist_id = artist_.id;
        al.artist_name = artist_.name;
        al.created_at = util::now_micros();
        album_ = catalog_->upsert_album(artist_.id + "|" + al.title, al);
      }
      model::Track t;
      t.id = util::new_uuid();
      t.title = "Track " + std::to_string(i);
      t.artist_id = artist_.id;
      t.artist_name = artist_.name;
      t.album_id = album_.id;
      t.album_title = album_.title;
      t.genre = i % 3 == 0 ? "Rock" : "Jazz";
      t.duration_secs = 60;
      t.file_path = "/music/" + std::to_string(i) + ".flac";
      t.file_size = 1000;
      t.format = "flac";
      t.created_at = util::now_micros();
      batch.push_back(t);
    }
    catalog_->insert_tracks(batch);
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::CatalogRepository> catalog_;
  model::Artist artist_;
  model::Album album_;
};

TEST_P(RandomPicks, SongsAreDistinctFilteredAndEveryOneComesUp) {
  fill(150);
  std::map<std::string, int> drawn;
  for (int call = 0; call < 1000; ++call) {
    model::RandomQuery q;
    q.limit = 15;  // 150 tracks are enough rows to probe for 15 (db/random_tracks.cpp: 8 a pick)
    auto picks = catalog_->random_tracks(q);
    ASSERT_EQ(picks.size(), 15u);
    std::set<std::string> ids;
    for (const auto& t : picks) {
      ids.insert(t.id);
      ++drawn[t.id];
      EXPECT_EQ(t.artist_name, "Artist") << "whole rows, with their joins";
    }
    EXPECT_EQ(ids.size(), 15u) << "no track twice in one answer";
  }
  // 15,000 picks over 150 tracks (about 100 each): a track whose key sits just after another's would be
  // drawn almost never by single-step probes; every one comes up.
  EXPECT_EQ(drawn.size(), 150u);
  for (const auto& [id, n] : drawn) EXPECT_GT(n, 0) << id;

  model::RandomQuery rock;
  rock.limit = 5;
  rock.genres = {"Rock"};
  auto picks = catalog_->random_tracks(rock);
  ASSERT_EQ(picks.size(), 5u);
  for (const auto& t : picks) EXPECT_EQ(t.genre, std::optional<std::string>("Rock"));
  // Two answers in a row differ (the same 5 of 50 twice: odds about 1 in 2 million).
  std::set<std::string> first, second;
  for (const auto& t : catalog_->random_tracks(rock)) first.insert(t.id);
  for (const auto& t : catalog_->random_tracks(rock)) second.insert(t.id);
  EXPECT_NE(first, second);
}

TEST_P(RandomPicks, SmallSetsAndExclusionsStillAnswerInFull) {
  fill(12);
  model::RandomQuery q;
  q.limit = 12;  // every track: too few rows to probe for, shuffled whole
  EXPECT_EQ(catalog_->random_tracks(q).size(), 12u);
  q.limit = 50;
  EXPECT_EQ(catalog_->random_tracks(q).size(), 12u) << "no more than there are";
  auto all = catalog_->random_tracks(q);
  q.exclude = {all[0].id, all[1].id};
  auto rest = catalog_->random_tracks(q);
  EXPECT_EQ(rest.size(), 10u);
  for (const auto& t : rest) EXPECT_TRUE(t.id != all[0].id && t.id != all[1].id);
}

TEST_P(RandomPicks, RandomAlbumsAreDistinctAndCoverTheCatalogue) {
  fill(300);  // 30 albums
  std::set<std::string> seen;
  for (int call = 0; call < 200; ++call) {
    model::AlbumQuery q;
    q.order = model::AlbumOrder::random;
    q.limit = 5;
    auto albums = catalog_->query_albums(q);
    ASSERT_EQ(albums.size(), 5u);
    std::set<std::string> ids;
    for (const auto& a : albums) ids.insert(a.id), seen.insert(a.id);
    EXPECT_EQ(ids.size(), 5u);
  }
  EXPECT_EQ(seen.size(), 30u);
}

TEST_P(RandomPicks, RowsInsertedOutsideTheRepositoryGetAKey) {
  fill(3);
  auto c = db_.pool().acquire();
  c->query("INSERT INTO tracks (id, title, artist_id, duration_secs, file_path, file_size, format, search_text, "
           "created_at) VALUES (?, 'Outside', ?, 60, '/music/outside.flac', 1, 'flac', 'outside', ?)",
           {util::new_uuid(), artist_.id, util::now_micros()});
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM tracks WHERE shuffle IS NULL").rows.at(0).integer(0), 0);
  EXPECT_EQ(c->query("SELECT COUNT(DISTINCT shuffle) FROM tracks").rows.at(0).integer(0), 4);
}

INSTANTIATE_TEST_SUITE_P(Engines, RandomPicks, test::kEngines, [](const auto& info) { return info.param; });

}  // namespace
