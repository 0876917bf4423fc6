// A user's stars and ratings of artists and albums, asked for a few ids (one query per slice of ids) or for
// a whole list (getArtists: the user's annotations read whole and kept for the ids asked): the same answer.
#include <gtest/gtest.h>

#include "db/repositories.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class Annotations : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    users_ = db::make_user_repository(db_.pool());
    notes_ = db::make_annotation_repository(db_.pool());
    for (auto* u : {&me_, &other_}) {
      u->id = util::new_uuid();
      u->username = u == &me_ ? "me" : "other";
      u->email = u->username + "@example.org";
      u->password_hash = "$argon2id$fake";
      u->created_at = u->updated_at = util::now_micros();
      ASSERT_TRUE(users_->create(*u, model::CreatePolicy::any));
    }
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::UserRepository> users_;
  std::unique_ptr<model::AnnotationRepository> notes_;
  model::User me_, other_;
};

TEST_P(Annotations, AWholeListAndAFewIdsAgree) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1200; ++i) ids.push_back(util::new_uuid());
  auto k = model::ItemKind::artist;
  notes_->star(me_.id, k, ids[3], 1000);
  notes_->star(me_.id, k, ids[1100], 2000);
  notes_->set_rating(me_.id, k, ids[3], 4, 100);
  notes_->set_rating(me_.id, k, ids[700], 2, 100);
  notes_->star(me_.id, k, util::new_uuid(), 3000);              // the user's, but not among the ids
  notes_->star(me_.id, model::ItemKind::album, ids[5], 4000);   // another kind
  notes_->star(other_.id, k, ids[6], 5000);                     // another user
  notes_->set_rating(other_.id, k, ids[3], 1, 100);

  auto whole = notes_->annotations(me_.id, k, ids);
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[ids[3]].starred_at, 1000);
  EXPECT_EQ(whole[ids[3]].rating, 4);
  EXPECT_EQ(whole[ids[1100]].starred_at, 2000);
  EXPECT_EQ(whole[ids[700]].rating, 2);
  EXPECT_FALSE(whole[ids[700]].starred_at);
  for (const auto& id : {ids[3], ids[700], ids[1100]}) {
    auto few = notes_->annotations(me_.id, k, {id, ids[5], ids[6]});
    ASSERT_EQ(few.size(), 1u) << id;
    EXPECT_EQ(few[id].starred_at, whole[id].starred_at);
    EXPECT_EQ(few[id].rating, whole[id].rating);
  }

  // Every star and rating of the kind, the ids' or not; nothing of another kind or user.
  auto all = notes_->all_annotations(me_.id, k);
  EXPECT_EQ(all.size(), 4u);
  for (const auto& [id, a] : whole) {
    EXPECT_EQ(all[id].starred_at, a.starred_at) << id;
    EXPECT_EQ(all[id].rating, a.rating) << id;
  }
  EXPECT_FALSE(all.count(ids[5]));
  EXPECT_FALSE(all.count(ids[6]));
  EXPECT_EQ(notes_->all_annotations(other_.id, model::ItemKind::album).size(), 0u);
  EXPECT_THROW(notes_->all_annotations(me_.id, model::ItemKind::track), std::invalid_argument);
}

// A 900-song page's favorites, ratings and plays (PostgreSQL: one array of ids per query, SQLite: slices of
// 400): the three tracks the user marked among 897 others, nothing of another user's.
TEST_P(Annotations, TracksOfALongPageInOneAnswer) {
  auto catalog = db::make_catalog_repository(db_.pool());
  auto activity = db::make_activity_repository(db_.pool());
  model::Artist band{util::new_uuid(), "Band", std::nullopt, {}, {}, util::now_micros()};
  band = catalog->upsert_artist("name:band", band);
  std::vector<std::string> ids;
  for (int i = 0; i < 900; ++i) ids.push_back(util::new_uuid());
  for (int i : {0, 450, 899}) {
    model::Track t;
    t.id = ids[static_cast<std::size_t>(i)];
    t.title = "Song " + std::to_string(i);
    t.artist_id = band.id;
    t.artist_name = band.name;
    t.file_path = "/m/" + std::to_string(i) + ".flac";
    t.file_size = 1000;
    t.format = "flac";
    t.created_at = util::now_micros();
    catalog->insert_track(t);
  }
  auto k = model::ItemKind::track;
  activity->add_favorite(me_.id, ids[0], 1000);
  notes_->set_rating(me_.id, k, ids[450], 5, 100);
  for (auto at : {2000, 3000}) activity->record_listen({util::new_uuid(), me_.id, ids[899], at, 30, std::nullopt, true, false, std::nullopt});
  activity->add_favorite(other_.id, ids[450], 1000);
  notes_->set_rating(other_.id, k, ids[0], 1, 100);
  notes_->set_rating(me_.id, model::ItemKind::album, ids[899], 3, 100);  // the same id as another kind's

  auto got = notes_->annotations(me_.id, k, ids);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[ids[0]].starred_at, 1000);
  EXPECT_FALSE(got[ids[0]].rating);
  EXPECT_EQ(got[ids[450]].rating, 5);
  EXPECT_FALSE(got[ids[450]].starred_at);
  EXPECT_EQ(got[ids[899]].play_count, 2);
  EXPECT_EQ(got[ids[899]].played_at, 3000);
  EXPECT_FALSE(got[ids[899]].rating);
  EXPECT_TRUE(notes_->annotations(me_.id, k, {}).empty());

  // The three kinds asked for together (a search's lists, PostgreSQL: one statement) answer as each alone,
  // each list its own: ids[899] is both a song with plays and an album with a rating.
  notes_->star(me_.id, model::ItemKind::artist, ids[1], 7000);
  auto lists = notes_->annotations(me_.id, {{model::ItemKind::artist, {ids[1], ids[2]}},
                                            {model::ItemKind::album, {ids[899], ids[0]}},
                                            {model::ItemKind::track, ids},
                                            {model::ItemKind::album, {}}});
  ASSERT_EQ(lists.size(), 4u);
  ASSERT_EQ(lists[0].size(), 1u);
  EXPECT_EQ(lists[0][ids[1]].starred_at, 7000);
  ASSERT_EQ(lists[1].size(), 1u);
  EXPECT_EQ(lists[1][ids[899]].rating, 3);
  EXPECT_EQ(lists[1][ids[899]].play_count, 0);
  ASSERT_EQ(lists[2].size(), 3u);
  for (const auto& [id, a] : got) {
    EXPECT_EQ(lists[2][id].starred_at, a.starred_at) << id;
    EXPECT_EQ(lists[2][id].rating, a.rating) << id;
    EXPECT_EQ(lists[2][id].play_count, a.play_count) << id;
    EXPECT_EQ(lists[2][id].played_at, a.played_at) << id;
  }
  EXPECT_TRUE(lists[3].empty());
  // A list long enough to be read whole is read on its own, the others still answered.
  std::vector<std::string> many(ids.begin(), ids.begin() + 600);
  auto mixed = notes_->annotations(me_.id, {{model::ItemKind::track, {ids[0]}}, {model::ItemKind::artist, many}});
  ASSERT_EQ(mixed.size(), 2u);
  EXPECT_EQ(mixed[0][ids[0]].starred_at, 1000);
  ASSERT_EQ(mixed[1].size(), 1u);
  EXPECT_EQ(mixed[1][ids[1]].starred_at, 7000);
  EXPECT_TRUE(notes_->annotations(me_.id, std::vector<model::ItemIds>{}).empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, Annotations, test::kEngines, [](const auto& info) { return info.param; });

}  // namespace
