// Covers and transcodes with object storage (STORAGE_BACKEND=s3): what one node stores, another reads
// from the store; local copies stay in the bounded media cache; a store that fails leaves nothing behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "library/cover_store.hpp"
#include "library/media_cache.hpp"
#include "library/transcode_service.hpp"
#include "unit/library/memory_store.hpp"

using namespace st::library;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh directory per test, removed after it.
class SharedMedia : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("st-shared-media-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A file made by the ffmpeg command line from a lavfi source.
  std::string made_by_ffmpeg(const std::string& source, const std::string& name, const std::string& args = "") {
    auto out = (dir_ / name).string();
    std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i " + source + " " + args + " " + out;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return out;
  }

  std::size_t files_under(const fs::path& p) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      n += it->is_regular_file();
    return n;
  }

  fs::path dir_;
  MemoryStore store_;
};

// One node's covers: its media root and media cache, both on the store.
struct CoverNode {
  CoverNode(MemoryStore& store, const fs::path& dir)
      : root((dir / "media").string()), cache(store, (dir / "cache").string(), 1 << 20), covers(root) {
    covers.keep_in(store, cache);
  }
  std::string root;
  MediaCache cache;
  CoverStore covers;
};

}  // namespace

TEST_F(SharedMedia, ACoverStoredByOneNodeIsAnObjectTheOthersRead) {
  auto bytes = slurp(made_by_ffmpeg("color=c=teal:s=300x200", "cover.jpg", "-frames:v 1"));
  ASSERT_EQ(CoverStore::refusal(bytes), "");
  CoverNode a(store_, dir_ / "a"), b(store_, dir_ / "b");

  auto url = a.covers.store(bytes);
  ASSERT_TRUE(url);
  ASSERT_TRUE(url->starts_with("/api/media/covers/"));
  std::string path = url->substr(std::string("/api/media/").size());
  EXPECT_EQ(store_.get(path), bytes) << "the object is named as the media path";
  EXPECT_EQ(files_under(a.root), 0u) << "nothing is kept under the media root";
  auto here = a.covers.file(path, true);
  ASSERT_TRUE(here) << "the node that stored it keeps a copy in its media cache";
  EXPECT_EQ(slurp(*here), bytes);
  EXPECT_EQ(store_.reads, 0);

  EXPECT_FALSE(b.covers.file(path, true)) << "only_local never fetches";
  auto there = b.covers.file(path);
  ASSERT_TRUE(there);
  EXPECT_EQ(slurp(*there), bytes);
  EXPECT_EQ(store_.reads, 1);
  EXPECT_EQ(b.covers.store(bytes), url) << "the same bytes again: the same name";
  EXPECT_EQ(store_.puts, 1) << "and not stored twice";

  // A scaled copy is made from the local copy into the media cache, once.
  auto scaled = b.covers.scaled(*there, 100);
  ASSERT_TRUE(scaled);
  EXPECT_TRUE(scaled->starts_with((dir_ / "b" / "cache").string())) << *scaled;
  EXPECT_EQ(b.covers.scaled(*there, 120), scaled) << "sizes of one step share a copy";
  EXPECT_EQ(files_under(b.root), 0u);
  EXPECT_EQ(store_.count("covers/scaled"), 0u) << "scaled copies are not objects";

  std::string h(64, 'a');
  EXPECT_FALSE(b.covers.file("covers/aa/" + h + ".jpg")) << "no such object: not found, not an error";
}

TEST_F(SharedMedia, CoversStoredOnDiskBeforeObjectStorageStayReadable) {
  CoverNode a(store_, dir_ / "a");
  std::string h(64, 'b');
  std::string path = "covers/bb/" + h + ".png";
  fs::create_directories(fs::path(a.root) / "covers" / "bb");
  std::ofstream(fs::path(a.root) / path) << "old cover";
  auto f = a.covers.file(path, true);
  ASSERT_TRUE(f);
  EXPECT_EQ(slurp(*f), "old cover");
  EXPECT_EQ(store_.reads, 0);
}

TEST_F(SharedMedia, AStoreThatFailsLeavesNoCoverBehindAndSaysSo) {
  auto bytes = slurp(made_by_ffmpeg("color=c=red:s=64x64", "red.png", "-frames:v 1"));
  CoverNode a(store_, dir_ / "a");
  store_.down = true;
  EXPECT_THROW(a.covers.store(bytes), StorageError);
  EXPECT_EQ(files_under(a.root), 0u) << "no temporary file is left";
  EXPECT_EQ(files_under(dir_ / "a" / "cache"), 0u);
  std::string h(64, 'c');
  EXPECT_THROW(a.covers.file("covers/cc/" + h + ".png"), StorageError) << "unreachable is not 'no such cover'";
  store_.down = false;
  auto url = a.covers.store(bytes);
  ASSERT_TRUE(url);
  EXPECT_EQ(store_.count("covers/"), 1u);
}

TEST_F(SharedMedia, ATranscodeMadeByOneNodeIsFetchedByAnotherAndRemovedWithItsEviction) {
  auto source = made_by_ffmpeg("sine=frequency=440:duration=3", "tone.wav");
  TranscodeRequest r{source, std::string(64, 'd'), {st::audio::Codec::mp3, 64, 0}};
  auto transcode = [&](TranscodeService& svc, const TranscodeRequest& req) {
    auto stream = svc.start(req);
    std::string out;
    char buf[8192];
    while (auto n = stream->read(buf, sizeof buf)) out.append(buf, n);
    return out;
  };

  TranscodeService a((dir_ / "a").string(), 1 << 20, 2);
  a.share_through(store_);
  auto made = transcode(a, r);
  ASSERT_GT(made.size(), 1000u);
  ASSERT_TRUE(a.settle());
  std::string key = "transcodes/" + std::string(64, 'd') + "-mp3-64.mp3";
  EXPECT_EQ(store_.get(key), made) << "a complete transcode is shared";

  TranscodeService b((dir_ / "b").string(), 1 << 20, 2);
  b.share_through(store_);
  auto fetched = b.cached(r);
  ASSERT_TRUE(fetched) << "another node reads it instead of transcoding";
  EXPECT_EQ(slurp(*fetched), made);
  TranscodeRequest other{source, std::string(64, 'e'), {st::audio::Codec::mp3, 64, 0}};
  EXPECT_FALSE(b.cached(other)) << "none made: none fetched";
  TranscodeRequest seek{source, std::string(64, 'd'), {st::audio::Codec::mp3, 64, 10}};
  EXPECT_FALSE(b.cached(seek)) << "a transcode from an offset is never cached";

  // A seek's partial transcode is not shared.
  transcode(a, {source, std::string(64, 'd'), {st::audio::Codec::mp3, 96, 1.5}});
  ASSERT_TRUE(a.settle());
  EXPECT_EQ(store_.count("transcodes/"), 1u);

  // A node whose cache holds one result only: making another evicts the first, and its object with it.
  TranscodeService small((dir_ / "c").string(), made.size() + 100, 2);
  small.share_through(store_);
  ASSERT_TRUE(small.cached(r));
  transcode(small, {source, std::string(64, 'd'), {st::audio::Codec::mp3, 128, 0}});
  ASSERT_TRUE(small.settle());
  EXPECT_FALSE(store_.get(key)) << "evicted here: removed from the store";
  EXPECT_TRUE(store_.get("transcodes/" + std::string(64, 'd') + "-mp3-128.mp3") ||
              store_.count("transcodes/") == 0)
      << "the newer one is shared unless it was itself over the quota";
  ASSERT_TRUE(fs::exists(*fetched)) << "b's own copy stays until b evicts it";

  // An unreachable store: the caller transcodes instead, and nothing half-fetched is left.
  store_.down = true;
  TranscodeService d((dir_ / "d").string(), 1 << 20, 2);
  d.share_through(store_);
  EXPECT_FALSE(d.cached(r));
  EXPECT_EQ(files_under(dir_ / "d"), 0u);
  EXPECT_GT(transcode(d, r).size(), 1000u);
  EXPECT_FALSE(d.settle()) << "the store did not take it";
}
