#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "util/durable_file.hpp"

namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST(DurableFile, ReplacesWholeAndLeavesNoTemporary) {
  auto dir = fs::temp_directory_path() / ("st-durable-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto path = (dir / "x.obao").string();
  ASSERT_TRUE(st::util::write_durably(path, "first version, longer than the second"));
  ASSERT_TRUE(st::util::write_durably(path, std::string("second\0bytes", 12)));
  EXPECT_EQ(slurp(path), std::string("second\0bytes", 12));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_TRUE(st::util::sync_file(path));
  // A directory that cannot be written: false, and the old file is untouched.
  if (::geteuid() != 0) {
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_FALSE(st::util::write_durably(path, "third"));
    fs::permissions(dir, fs::perms::owner_all);
    EXPECT_EQ(slurp(path), std::string("second\0bytes", 12));
  }
  EXPECT_FALSE(st::util::write_durably((dir / "missing" / "y").string(), "z"));
  fs::remove_all(dir);
}
