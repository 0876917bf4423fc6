// Folder queries (Subsonic's folder browsing, rescans of a folder): the files under a folder, found as a
// range of the path index on SQLite, are exactly those whose path starts with the folder's, whatever bytes
// the names hold.
#include <gtest/gtest.h>

#include <set>

#include "db/repositories.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class FolderPaths : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    catalog_ = db::make_catalog_repository(db_.pool());
    model::Artist a{util::new_uuid(), "Artist", std::nullopt, {}, {}, util::now_micros()};
    auto artist = catalog_->upsert_artist("name:artist", a);
    std::vector<model::Track> batch;
    for (const char* path : {"/m/a/b/1.flac", "/m/a/b/2.flac", "/m/a/b/sub/3.flac", "/m/a/b0/4.flac", "/m/a/bc/5.flac",
                             "/m/a/b.flac", "/m/a/B/6.flac", "/m/a/b%_/7.flac", "/m/\xc3\xa9t\xc3\xa9/8.flac",
                             "/m/\xc3\xa9t\xc3\xa9x/9.flac"}) {
      model::Track t;
      t.id = util::new_uuid();
      t.title = path;
      t.artist_id = artist.id;
      t.artist_name = artist.name;
      t.duration_secs = 60;
      t.file_path = path;
      t.file_size = 1;
      t.format = "flac";
      t.created_at = util::now_micros();
      batch.push_back(t);
    }
    catalog_->insert_tracks(batch);
  }

  std::set<std::string> under(const std::string& prefix) {
    std::set<std::string> out;
    for (const auto& [path, known] : catalog_->known_files_under(prefix)) out.insert(path);
    return out;
  }

  std::set<std::string> directly_in(const std::string& folder) {
    std::set<std::string> out;
    for (const auto& t : catalog_->tracks_in_folder(folder)) out.insert(t.file_path);
    return out;
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::CatalogRepository> catalog_;
};

TEST_P(FolderPaths, PrefixesMatchExactlyTheirFolders) {
  EXPECT_EQ(under("/m/a/b/"), (std::set<std::string>{"/m/a/b/1.flac", "/m/a/b/2.flac", "/m/a/b/sub/3.flac"}));
  EXPECT_EQ(under("/m/a/b%_/"), (std::set<std::string>{"/m/a/b%_/7.flac"})) << "wildcards are plain characters";
  EXPECT_EQ(under("/m/\xc3\xa9t\xc3\xa9/"), (std::set<std::string>{"/m/\xc3\xa9t\xc3\xa9/8.flac"}));
  EXPECT_EQ(under("/m/\xc3\xa9t\xc3\xa9").size(), 2u) << "a prefix ending inside a multibyte character's bytes";
  EXPECT_EQ(under("/m/a/b").size(), 7u) << "a prefix that is not a folder: b/ (3), b0/, bc/, b.flac, b%_/";
  EXPECT_TRUE(under("/m/zzz/").empty());
  if (GetParam() == "sqlite") {
    EXPECT_TRUE(under("/m/\xff").empty()) << "no byte above 0xff to end the range";
  }
  EXPECT_EQ(directly_in("/m/a/b"), (std::set<std::string>{"/m/a/b/1.flac", "/m/a/b/2.flac"}));
  EXPECT_EQ(directly_in("/m/a/b/"), (std::set<std::string>{"/m/a/b/1.flac", "/m/a/b/2.flac"}));
  EXPECT_EQ(directly_in("/m/a"), (std::set<std::string>{"/m/a/b.flac"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, FolderPaths, test::kEngines, [](const auto& info) { return info.param; });

}  // namespace
