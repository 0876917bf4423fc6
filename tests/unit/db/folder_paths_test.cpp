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
    artist_ = catalog_->upsert_artist("name:artist", a);
    std::vector<model::Track> batch;
    for (const char* path : {"/m/a/b/1.flac", "/m/a/b/2.flac", "/m/a/b/sub/3.flac", "/m/a/b0/4.flac", "/m/a/bc/5.flac",
                             "/m/a/b.flac", "/m/a/B/6.flac", "/m/a/b%_/7.flac", "/m/\xc3\xa9t\xc3\xa9/8.flac",
                             "/m/\xc3\xa9t\xc3\xa9x/9.flac"})
      batch.push_back(track_at(path));
    catalog_->insert_tracks(batch);
  }

  model::Track track_at(const std::string& path) const {
    model::Track t;
    t.id = util::new_uuid();
    t.title = path;
    t.artist_id = artist_.id;
    t.artist_name = artist_.name;
    t.duration_secs = 60;
    t.file_path = path;
    t.file_size = 1;
    t.format = "flac";
    t.created_at = util::now_micros();
    return t;
  }

  std::set<std::string> under(const std::string& prefix) {
    std::set<std::string> out;
    for (const auto& [path, known] : catalog_->known_files_under(prefix)) out.insert(path);
    return out;
  }

  std::set<std::string> directly_in(const std::string& folder, std::int64_t limit = 1000) {
    std::set<std::string> out;
    for (const auto& t : catalog_->tracks_in_folder(folder, limit)) out.insert(t.file_path);
    return out;
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::CatalogRepository> catalog_;
  model::Artist artist_;
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
  EXPECT_EQ(directly_in("/m/a/b/", 1), (std::set<std::string>{"/m/a/b/1.flac"})) << "the first by file name";
  EXPECT_EQ(directly_in("/m/a"), (std::set<std::string>{"/m/a/b.flac"}));
}

// A folder's entries come from skipping through the path index: each sub-folder once (in the order of its
// paths: "b%_/" before "b/"), the files directly in it counted, whatever lies deeper.
TEST_P(FolderPaths, AFolderListsEachSubFolderOnceAndCountsItsOwnFiles) {
  auto a = catalog_->folder_entries("/m/a");
  EXPECT_EQ(a->folders, (std::vector<std::string>{"B", "b%_", "b", "b0", "bc"}));
  EXPECT_EQ(a->files, 1);
  EXPECT_EQ(catalog_->folder_entries("/m/a/")->folders, a->folders) << "with or without the trailing slash";
  auto m = catalog_->folder_entries("/m");
  EXPECT_EQ(m->folders, (std::vector<std::string>{"a", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9x"}));
  EXPECT_EQ(m->files, 0);
  auto b = catalog_->folder_entries("/m/a/b");
  EXPECT_EQ(b->folders, (std::vector<std::string>{"sub"}));
  EXPECT_EQ(b->files, 2);
  EXPECT_TRUE(catalog_->folder_entries("/m/zzz")->folders.empty());
  EXPECT_EQ(catalog_->folder_entries("/m/zzz")->files, 0);
  EXPECT_GT(m->changed_at, 0) << "the tracks were added";
}

// Kept entries are read again once a track is added or removed, one by one or in a batch (SQLite inserts a
// batch with its triggers off and does their work itself), and each change is stamped with its time.
TEST_P(FolderPaths, AFolderIsReadAgainAfterItsTracksChange) {
  auto unstamp = [&] { db_.pool().acquire()->query("UPDATE catalog_totals SET changed_at = 0"); };
  unstamp();
  auto t = track_at("/m/new/10.flac");
  catalog_->insert_track(t);
  auto added = catalog_->folder_entries("/m");
  EXPECT_EQ(added->folders, (std::vector<std::string>{"a", "new", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9x"}));
  EXPECT_GT(added->changed_at, 0);
  unstamp();
  catalog_->insert_tracks({track_at("/m/batch/11.flac"), track_at("/m/batch/12.flac")});
  auto batch = catalog_->folder_entries("/m");
  EXPECT_EQ(batch->folders.at(1), "batch");
  EXPECT_GT(batch->changed_at, 0);
  unstamp();
  catalog_->delete_track(t.id);
  auto removed = catalog_->folder_entries("/m");
  EXPECT_EQ(removed->folders, (std::vector<std::string>{"a", "batch", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9x"}));
  EXPECT_GT(removed->changed_at, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, FolderPaths, test::kEngines, [](const auto& info) { return info.param; });

}  // namespace
