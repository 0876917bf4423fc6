// Local copies of objects: fetched once however many ask, bounded in bytes (least recently used first),
// never half-written, and ranges read in pieces.
#include "library/media_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "library/object_range_reader.hpp"
#include "unit/library/memory_store.hpp"

using namespace st::library;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class MediaCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("st-media-cache-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  MemoryStore store_;
};

}  // namespace

TEST_F(MediaCacheTest, LocalFilesAreThemselvesAndObjectsAreFetchedOnce) {
  store_.objects["u/a b.flac"] = std::string(1000, 'a');
  MediaCache cache(store_, dir_.string(), 1 << 20);
  EXPECT_EQ(cache.local_path("/music/x.mp3"), "/music/x.mp3");
  EXPECT_FALSE(cache.cached("u/a b.flac"));
  std::vector<std::thread> askers;
  std::vector<std::string> paths(6);
  for (int i = 0; i < 6; ++i) askers.emplace_back([&, i] { paths[i] = cache.local_path("s3://u/a b.flac"); });
  for (auto& t : askers) t.join();
  EXPECT_EQ(store_.reads, 1);
  for (const auto& p : paths) EXPECT_EQ(p, paths[0]);
  EXPECT_TRUE(paths[0].ends_with(".flac"));
  EXPECT_EQ(slurp(paths[0]), std::string(1000, 'a'));
  EXPECT_EQ(cache.cached("u/a b.flac"), paths[0]);
  EXPECT_EQ(cache.bytes(), 1000u);
  // A copy removed behind the cache's back is fetched again, not handed out missing.
  fs::remove(paths[0]);
  EXPECT_FALSE(cache.cached("u/a b.flac"));
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(slurp(cache.local_path("s3://u/a b.flac")), std::string(1000, 'a'));
  EXPECT_EQ(store_.reads, 2);
}

TEST_F(MediaCacheTest, TheLeastRecentlyUsedCopiesGoPastTheBound) {
  for (auto k : {"a", "b", "c"}) store_.objects[k] = std::string(400, k[0]);
  MediaCache cache(store_, dir_.string(), 1000);
  auto a = cache.local_path("s3://a");
  cache.local_path("s3://b");
  cache.cached("a");  // a is used again: b is now the oldest
  cache.local_path("s3://c");
  EXPECT_TRUE(cache.cached("a"));
  EXPECT_FALSE(cache.cached("b"));
  EXPECT_TRUE(cache.cached("c"));
  EXPECT_EQ(cache.bytes(), 800u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2);
  // A cache started on the same folder knows what is there.
  MediaCache again(store_, dir_.string(), 1000);
  EXPECT_EQ(again.bytes(), 800u);
}

TEST_F(MediaCacheTest, AFailedFetchLeavesNothingAndAdoptMovesTheFile) {
  store_.objects["k.mp3"] = std::string(300, 'k');
  MediaCache cache(store_, dir_.string(), 1 << 20);
  store_.fail_midway = true;
  EXPECT_THROW(cache.local_path("s3://k.mp3"), StorageError);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 0);
  EXPECT_FALSE(cache.cached("k.mp3"));
  EXPECT_THROW(cache.local_path("s3://missing"), StorageError);

  auto file = dir_.parent_path() / (dir_.filename().string() + "-upload.mp3");
  std::ofstream(file) << "uploaded bytes";
  cache.adopt("u/up.mp3", file.string());
  EXPECT_FALSE(fs::exists(file));
  ASSERT_TRUE(cache.cached("u/up.mp3"));
  EXPECT_EQ(slurp(*cache.cached("u/up.mp3")), "uploaded bytes");
  cache.forget("u/up.mp3");
  EXPECT_FALSE(cache.cached("u/up.mp3"));
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ObjectRangeReader, ReadsARangeInPiecesAndRefusesAShortAnswer) {
  MemoryStore store;
  std::string body;
  for (int i = 0; i < 5000; ++i) body += static_cast<char>('a' + i % 26);
  store.objects["k"] = body;
  ObjectRangeReader r(store, "k", 100, 4099, 1000);
  EXPECT_EQ(r.size(), 4000u);
  std::string got;
  char buf[333];
  while (std::size_t n = r.read(buf, sizeof buf)) got.append(buf, n);
  EXPECT_EQ(got, body.substr(100, 4000));
  EXPECT_EQ(store.reads, 4);
  ObjectRangeReader past(store, "k", 4900, 5999, 1000);
  EXPECT_THROW(while (past.read(buf, sizeof buf)) {}, StorageError);
}
