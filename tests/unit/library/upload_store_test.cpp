#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "library/upload_store.hpp"

using namespace st::library;
namespace fs = std::filesystem;

namespace {

struct Dirs {
  fs::path base = fs::temp_directory_path() / ("st-upload-store-" + std::to_string(::getpid()));
  fs::path storage = base / "storage", journal = base / "pending", received = base / "tmp";
  Dirs() {
    fs::create_directories(storage);
    fs::create_directories(received);
  }
  ~Dirs() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  std::string receive(const std::string& name) {
    auto p = received / name;
    std::ofstream(p) << "audio bytes of " << name;
    return p.string();
  }
  std::size_t intents() const {
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(journal)) ++n;
    return n;
  }
};

}  // namespace

TEST(UploadStore, AKeptFileIsJournalledUntilSettled) {
  Dirs d;
  UploadStore store(d.storage.string(), d.journal.string());
  auto a = store.keep(d.receive("a.flac"), "a.flac", "user-1");
  auto b = store.keep(d.receive("b.flac"), "a.flac", "user-1");  // same name: a unique one
  EXPECT_NE(a, b);
  EXPECT_EQ(d.intents(), 2u);
  store.settled(a);
  EXPECT_EQ(d.intents(), 1u);
  EXPECT_TRUE(fs::exists(a));
}

// What a crash between keeping a file and committing its row leaves: the next start removes the file
// unless a row refers to it, and never touches anything outside the storage.
TEST(UploadStore, SweepRemovesWhatNoRowReferencesAndNothingElse) {
  Dirs d;
  UploadStore store(d.storage.string(), d.journal.string());
  auto orphan = store.keep(d.receive("orphan.flac"), "orphan.flac", "user-1");
  auto committed = store.keep(d.receive("kept.flac"), "kept.flac", "user-1");
  auto outside = d.base / "elsewhere.flac";
  std::ofstream(outside) << "not ours";
  std::ofstream(d.journal / "forged.intent") << outside.string();
  std::ofstream(d.journal / "escape.intent") << (d.storage / ".." / "elsewhere.flac").string();
  std::set<std::string> rows{committed};
  EXPECT_EQ(store.sweep([&](const std::string& p) { return rows.count(p) > 0; }), 1u);
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(committed));
  EXPECT_TRUE(fs::exists(outside));
  EXPECT_EQ(d.intents(), 0u);
}
