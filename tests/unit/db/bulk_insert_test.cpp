// Tracks inserted in bulk (a catalogue pull) are searchable like tracks inserted one by one, on both
// engines: on SQLite their search text is indexed in one statement at the end (migration 0008).
#include <gtest/gtest.h>

#include "db/repositories.hpp"
#include "model/errors.hpp"
#include <optional>

#include "support/catalog_fixture.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class BulkInsert : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    one_.emplace(db_.pool(), "Band", "LP");
    catalog_ = one_->catalog.get();
    artist_ = one_->artist;
    album_ = one_->album;
  }

  model::Track track(std::string title, std::string path) { return one_->track(std::move(title), std::move(path)); }

  std::int64_t found(const std::string& word) { return catalog_->search({word}, {1, 5}).total_tracks; }

  test::TestDatabase db_{GetParam()};
  std::optional<test::OneAlbumCatalog> one_;
  model::CatalogRepository* catalog_ = nullptr;
  model::Artist artist_;
  model::Album album_;
};

}  // namespace

TEST_P(BulkInsert, BulkTracksAreSearchableAndSingleInsertsStillIndexThemselves) {
  catalog_->insert_track(track("Before aardvark", "/m/before.flac"));
  std::vector<model::Track> many;
  for (int i = 0; i < 300; ++i) many.push_back(track("Zebra " + std::to_string(i), "/m/z" + std::to_string(i) + ".flac"));
  catalog_->insert_tracks(many);
  EXPECT_EQ(found("zebra"), 300);
  EXPECT_EQ(found("aardvark"), 1);
  EXPECT_EQ(catalog_->search({"zebra", "299"}, {1, 5}).total_tracks, 1);

  // After the bulk insert, a single insert is indexed by the trigger again.
  catalog_->insert_track(track("After giraffe", "/m/after.flac"));
  EXPECT_EQ(found("giraffe"), 1);

  // Deleting a bulk-inserted track removes it from the index (the index matched its content).
  catalog_->delete_track(many[7].id);
  EXPECT_EQ(found("zebra"), 299);
}

TEST_P(BulkInsert, AFailedBulkInsertLeavesNothingBehindAndIndexingOn) {
  catalog_->insert_track(track("Taken", "/m/taken.flac"));
  std::vector<model::Track> batch{track("Okapi one", "/m/o1.flac"), track("Okapi two", "/m/taken.flac")};
  EXPECT_THROW(catalog_->insert_tracks(batch), model::UniqueViolation);
  EXPECT_EQ(found("okapi"), 0);
  catalog_->insert_track(track("Okapi three", "/m/o3.flac"));
  EXPECT_EQ(found("okapi"), 1);
  std::vector<model::Track> again{track("Okapi four", "/m/o4.flac"), track("Okapi five", "/m/o5.flac")};
  catalog_->insert_tracks(again);
  EXPECT_EQ(found("okapi"), 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, BulkInsert, test::kEngines, [](const auto& info) { return info.param; });
