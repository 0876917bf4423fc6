// The P2P cache: least recently used blobs leave first beyond the quota, and outboards are trusted only
// when the file still hashes to the requested value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "crypto/blake3.hpp"
#include "p2p/blob_store.hpp"
#include "util/random.hpp"

using namespace st;

namespace {

class Cache : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("st-blobs-" + util::random_hex(6));
    std::filesystem::create_directories(dir_ / "in");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // A part file of n bytes; returns its hash.
  std::string part(p2p::BlobStore& s, std::size_t n, char fill) {
    std::string data(n, fill);
    auto h = crypto::to_hex(crypto::blake3(data));
    std::ofstream(s.part_path(h), std::ios::binary) << data;
    return h;
  }
  std::filesystem::path dir_;
};

TEST_F(Cache, LeastRecentlyUsedLeavesFirst) {
  p2p::BlobStore s((dir_ / "blobs").string(), 250000, (dir_ / "outboards").string());
  auto a = part(s, 100000, 'a');
  ASSERT_TRUE(s.commit_verified(a, s.part_path(a)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto b = part(s, 100000, 'b');
  ASSERT_TRUE(s.commit_verified(b, s.part_path(b)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(s.cached(a));  // a is used again: b is now the oldest
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto c = part(s, 100000, 'c');
  ASSERT_TRUE(s.commit_verified(c, s.part_path(c)));
  EXPECT_TRUE(s.cached(a));
  EXPECT_FALSE(s.cached(b));
  EXPECT_TRUE(s.cached(c));
  EXPECT_EQ(s.used_bytes(), 200000u);
  // A new store over the same directory keeps what is there (the order lives in file times).
  p2p::BlobStore again((dir_ / "blobs").string(), 250000, (dir_ / "outboards").string());
  EXPECT_TRUE(again.cached(a));
}

TEST_F(Cache, CommitChecksTheBytesAndOutboardsMatchTheFile) {
  p2p::BlobStore s((dir_ / "blobs").string(), 1 << 30, (dir_ / "outboards").string());
  auto h = part(s, 70000, 'x');
  std::filesystem::copy_file(s.part_path(h), dir_ / "in" / "copy");
  auto path = s.commit(h, s.part_path(h));
  ASSERT_TRUE(path);
  auto ob = s.outboard(h, *path);
  ASSERT_TRUE(ob);
  EXPECT_EQ(ob->size(), (5 - 1) * 64u);  // 70000 bytes = 5 groups
  auto wrong = part(s, 1000, 'y');
  std::ofstream(s.part_path(wrong), std::ios::binary | std::ios::app) << "tampered";
  EXPECT_FALSE(s.commit(wrong, s.part_path(wrong)));
  EXPECT_FALSE(std::filesystem::exists(s.part_path(wrong)));
  // A local file that changed since it was hashed gets no outboard.
  auto local = (dir_ / "in" / "copy").string();
  std::ofstream(local, std::ios::binary | std::ios::app) << "more";
  EXPECT_FALSE(s.outboard(std::string(64, 'e'), local));
  EXPECT_FALSE(s.cached("../etc/passwd"));
}

}  // namespace
