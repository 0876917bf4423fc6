// Tree imports and rescans on a real catalogue (SQLite and PostgreSQL), with generated WAV files and
// buffers made small so that the walk queue, the catalogue pages and the write batches all fill up.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <tuple>

#include "db/repositories.hpp"
#include "library/importer.hpp"
#include "library/known_files.hpp"
#include "library/tree_walk.hpp"
#include "support/test_database.hpp"
#include "util/random.hpp"

using namespace st;
namespace fs = std::filesystem;

namespace {

// A valid 0.1 s mono 16-bit PCM WAV whose samples depend on seed (so every file has its own hash).
void write_wav(const fs::path& p, int seed) {
  const std::uint32_t rate = 8000, samples = 800, data = samples * 2;
  std::string b = "RIFF";
  auto u32 = [&](std::uint32_t v) { for (int i = 0; i < 4; ++i) b += static_cast<char>((v >> (8 * i)) & 0xff); };
  auto u16 = [&](std::uint16_t v) { b += static_cast<char>(v & 0xff); b += static_cast<char>(v >> 8); };
  u32(36 + data);
  b += "WAVEfmt ";
  u32(16), u16(1), u16(1), u32(rate), u32(rate * 2), u16(2), u16(16);
  b += "data";
  u32(data);
  for (std::uint32_t i = 0; i < samples; ++i) u16(static_cast<std::uint16_t>((i * (seed + 3) * 37) & 0x3fff));
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << b;
}

void set_mtime(const fs::path& p, std::int64_t secs) {
  fs::last_write_time(p, fs::file_time_type::clock::now() + std::chrono::seconds(secs));
}

class TreeImport : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    dir_ = fs::temp_directory_path() / ("st-import-" + util::random_hex(6));
    root_ = dir_ / "music";
    catalog_ = db::make_catalog_repository(db_.pool());
    covers_ = std::make_unique<library::CoverStore>((dir_ / "media").string());
    importer_ = std::make_unique<library::Importer>(*catalog_, *covers_, (dir_ / "outboards").string());
    importer_->set_tuning({4, 3, 5});  // walk queue, catalogue page, write batch
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // files: Artist a/Album b/NN.wav, 6 albums of 5 tracks.
  void make_tree(int files) {
    for (int i = 0; i < files; ++i)
      write_wav(root_ / ("Artist " + std::to_string(i % 2)) / ("Album " + std::to_string(i / 5)) /
                    (std::to_string(100 + i) + ".wav"),
                i);
  }
  std::int64_t tracks() { return catalog_->counts().tracks; }

  test::TestDatabase db_{GetParam()};
  fs::path dir_, root_;
  std::unique_ptr<model::CatalogRepository> catalog_;
  std::unique_ptr<library::CoverStore> covers_;
  std::unique_ptr<library::Importer> importer_;
};

TEST_P(TreeImport, ProgressTotalGrowsWhileTheWalkFeedsTheWorkers) {
  make_tree(30);
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, bool>> seen;  // (total, walking) at each call
  auto r = importer_->import_tree(root_.string(), 1, false, [&](const library::ImportProgress& p) {
    std::lock_guard l(mu);
    seen.emplace_back(p.total.load(), p.walking.load());
  });
  EXPECT_EQ(r.files, 30u);
  EXPECT_EQ(r.added, 30u);
  EXPECT_EQ(tracks(), 30);
  ASSERT_FALSE(seen.empty());
  // With a queue of 4 and one worker, the walk cannot be more than a few files ahead of the first one done.
  EXPECT_TRUE(seen.front().second);
  EXPECT_LE(seen.front().first, 1u + 4u + 2u);
  EXPECT_EQ(seen.back(), std::make_pair(std::uint64_t{30}, false));
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].first, seen[i - 1].first);
}

TEST_P(TreeImport, RescanFindsRemovedChangedAndNewFilesAcrossPagesAndBatches) {
  make_tree(30);
  auto first = importer_->import_tree(root_.string(), 2, true);
  ASSERT_EQ(first.added, 30u);
  // Unchanged: nothing written, nothing removed.
  auto again = importer_->import_tree(root_.string(), 2, true);
  EXPECT_EQ(std::make_tuple(again.unchanged, again.added, again.updated, again.removed),
            std::make_tuple(30u, 0u, 0u, 0u));

  // Removed: a whole album and two files elsewhere; changed: three files (new content and time);
  // moved: one file to another album folder (gone from its old path, new at its new one).
  fs::remove_all(root_ / "Artist 0" / "Album 0");  // 100, 102, 104
  fs::remove(root_ / "Artist 1" / "Album 3" / "117.wav");
  fs::remove(root_ / "Artist 0" / "Album 5" / "128.wav");
  for (int i : {111, 121, 129}) {
    auto p = root_ / ("Artist " + std::to_string(i % 2)) / ("Album " + std::to_string((i - 100) / 5)) /
             (std::to_string(i) + ".wav");
    write_wav(p, 1000 + i);
    set_mtime(p, 3600);
  }
  fs::rename(root_ / "Artist 1" / "Album 2" / "113.wav", root_ / "Artist 1" / "Album 4" / "113 moved.wav");
  auto before = catalog_->find_by_path((root_ / "Artist 1" / "Album 2" / "111.wav").string());
  ASSERT_TRUE(before);

  auto r = importer_->import_tree(root_.string(), 2, true);
  EXPECT_EQ(r.removed, 3u + 2u + 1u);
  EXPECT_EQ(r.updated, 3u);
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(r.unchanged, 30u - 6u - 3u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(tracks(), 30 - 6 + 1);
  auto after = catalog_->find_by_path((root_ / "Artist 1" / "Album 2" / "111.wav").string());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->track_id, before->track_id);  // updated in place, same id
  EXPECT_NE(after->mtime, before->mtime);
  EXPECT_FALSE(catalog_->find_by_path((root_ / "Artist 1" / "Album 2" / "113.wav").string()));
  EXPECT_TRUE(catalog_->find_by_path((root_ / "Artist 1" / "Album 4" / "113 moved.wav").string()));
  EXPECT_FALSE(catalog_->find_by_path((root_ / "Artist 0" / "Album 0" / "100.wav").string()));

  // And the next rescan sees a settled tree.
  auto settled = importer_->import_tree(root_.string(), 2, true);
  EXPECT_EQ(std::make_tuple(settled.unchanged, settled.added, settled.updated, settled.removed),
            std::make_tuple(25u, 0u, 0u, 0u));
}

// A folder with no file left where the catalogue knows tracks (an unmounted disk or share) removes nothing and
// says why; once a file is back, the files still missing are removed as usual.
TEST_P(TreeImport, AnEmptiedFolderRemovesNothing) {
  make_tree(10);
  ASSERT_EQ(importer_->import_tree(root_.string(), 1, true).added, 10u);
  auto kept = root_.parent_path() / "kept.wav";
  fs::rename(root_ / "Artist 0" / "Album 0" / "100.wav", kept);
  for (const auto& e : fs::directory_iterator(root_)) fs::remove_all(e.path());
  auto r = importer_->import_tree(root_.string(), 1, true);
  EXPECT_EQ(r.removed, 0u);
  EXPECT_EQ(tracks(), 10);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("nothing removed"), std::string::npos) << r.errors[0];
  fs::create_directories(root_ / "Artist 0" / "Album 0");
  fs::rename(kept, root_ / "Artist 0" / "Album 0" / "100.wav");
  r = importer_->import_tree(root_.string(), 1, true);
  EXPECT_EQ(std::make_tuple(r.removed, r.unchanged), std::make_tuple(9u, 1u));
  EXPECT_EQ(tracks(), 1);
  EXPECT_TRUE(r.errors.empty());
}

TEST_P(TreeImport, ARescanOfOneFolderLeavesItsNeighboursAlone) {
  // "/music" and "/music 2" share a prefix up to the separator: a rescan of one must neither page
  // through nor remove the other's tracks.
  make_tree(10);
  auto other = dir_ / "music 2";
  write_wav(other / "a" / "1.wav", 77);
  write_wav(other / "b" / "2.wav", 78);
  ASSERT_EQ(importer_->import_tree(other.string(), 1, true).added, 2u);
  ASSERT_EQ(importer_->import_tree(root_.string(), 1, true).added, 10u);
  fs::remove(root_ / "Artist 0" / "Album 0" / "100.wav");
  auto r = importer_->import_tree(root_.string(), 1, true);
  EXPECT_EQ(std::make_tuple(r.removed, r.unchanged), std::make_tuple(1u, 9u));
  EXPECT_EQ(tracks(), 11);
}

INSTANTIATE_TEST_SUITE_P(Engines, TreeImport, test::kEngines, [](const auto& info) { return info.param; });

TEST(KnownFiles, FindsByFullPathInByteOrderAndListsTheUnseen) {
  library::KnownFiles k("/m/");
  // Database order may differ from byte order ("a b" < "a/" in bytes, not in every collation).
  k.add("/m/a/x.mp3", 1, 10);
  k.add("/m/a b/y.mp3", 2, 20);
  k.add("/other/z.mp3", 3, 30);  // outside the prefix: left out
  k.add("/m/c.mp3", 4, 40);
  k.sort();
  EXPECT_EQ(k.size(), 3u);
  ASSERT_TRUE(k.find("/m/a b/y.mp3"));
  EXPECT_EQ(k.find("/m/a b/y.mp3")->size, 2);
  EXPECT_EQ(k.find("/m/a/x.mp3")->mtime, 10);
  EXPECT_FALSE(k.find("/m/a/y.mp3"));
  EXPECT_FALSE(k.find("/other/z.mp3"));
  EXPECT_FALSE(k.find("/m/"));
  k.find("/m/a/x.mp3")->seen = true;
  std::vector<std::string> unseen;
  k.for_each_unseen([&](const std::string& p) { unseen.push_back(p); });
  EXPECT_EQ(unseen, (std::vector<std::string>{"/m/a b/y.mp3", "/m/c.mp3"}));
}

TEST(TreeWalk, EachFolderInNameOrderDepthFirstWithoutLinkedFoldersOrLinksOutside) {
  auto dir = fs::temp_directory_path() / ("st-walk-" + util::random_hex(6));
  auto root = dir / "root";
  for (auto p : {"b/2.mp3", "b/1.mp3", "a/z/9.mp3", "a/1.mp3", "0.mp3", "a b/x.mp3"}) write_wav(root / p, 1);
  write_wav(dir / "outside.mp3", 2);
  write_wav(dir / "outside.jpg", 3);
  fs::create_symlink(dir / "outside.jpg", root / "b" / "cover.jpg");  // skipped: neither a file nor outside
  fs::create_directory_symlink(root / "a", root / "linked folder");
  fs::create_symlink(dir / "outside.mp3", root / "b" / "0 outside.mp3");
  fs::create_symlink(root / "0.mp3", root / "b" / "3 inside.mp3");
  std::vector<std::string> files;
  auto skip = [](const std::string& p) { return p.ends_with(".jpg"); };
  auto r = library::walk_tree(root.string() + "/", skip, [&](const std::string& p, const struct stat* st) {
    files.push_back(p.substr(root.string().size() + 1));
    EXPECT_TRUE(st && S_ISREG(st->st_mode) && static_cast<std::uintmax_t>(st->st_size) == fs::file_size(p))
        << p << ": its status (a link's target's), taken beside the walk";
    return true;
  });
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.outside_root, 1u);
  EXPECT_EQ(files, (std::vector<std::string>{"0.mp3", "a/1.mp3", "a/z/9.mp3", "a b/x.mp3", "b/1.mp3", "b/2.mp3",
                                             "b/3 inside.mp3"}));
  auto missing =
      library::walk_tree((dir / "nope/").string(), skip, [](const std::string&, const struct stat*) { return true; });
  EXPECT_FALSE(missing.error.empty());
  fs::remove_all(dir);
}

}  // namespace
