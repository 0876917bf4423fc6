#pragma once
// A fresh directory under the system's temp folder for one test, removed with everything in it afterwards.
#include <filesystem>
#include <string>
#include <system_error>

#include "util/random.hpp"

namespace st::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "st-test-")
      : path_(std::filesystem::temp_directory_path() / (prefix + util::random_hex(6))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;  // a test that failed half-way may have left it in any state
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace st::test
