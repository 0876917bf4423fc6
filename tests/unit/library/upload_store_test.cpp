#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
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

namespace {

// The files under a folder (dot files included), by name.
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

// Runs keep() in a child process that dies (no unwinding, no destructors) right after its `crash_at`-th
// step; 0 lets it finish without settling. Whether the child got that far is returned.
bool keep_and_die(Dirs& d, int crash_at, const std::string& name) {
  auto received = d.receive("incoming-" + std::to_string(crash_at));
  pid_t pid = ::fork();
  if (pid == 0) {
    UploadStore store(d.storage.string(), d.journal.string());
    int steps = 0;
    store.after_step = [&](std::string_view) {
      if (++steps == crash_at) ::_exit(3);
    };
    try {
      store.keep(received, name, "user-1");
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 3;
}

}  // namespace

// A kill -9 at any step of keeping an upload: the next start's sweep removes everything the upload made
// (staging file, final file) unless a row refers to it, and never a file that held the name before, even
// one no row refers to (a file put in the storage by hand).
TEST(UploadStore, ACrashAtAnyStepLeavesNothingTheSweepMissesAndTakesNothingElse) {
  int crashed_at_steps = 0;
  for (int crash_at = 1;; ++crash_at) {
    Dirs d;
    auto mine = d.storage / "user-1" / "a.flac";
    fs::create_directories(mine.parent_path());
    std::ofstream(mine) << "put here by hand";
    bool crashed = keep_and_die(d, crash_at, "a.flac");
    auto left = files_in(d.storage);
    UploadStore store(d.storage.string(), d.journal.string());
    store.sweep([](const std::string&) { return false; });
    EXPECT_EQ(files_in(d.storage), std::set<std::string>{"user-1/a.flac"})
        << "crash after step " << crash_at << " left " << ::testing::PrintToString(left);
    std::ifstream in(mine);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "put here by hand");
    EXPECT_EQ(d.intents(), 0u);
    if (!crashed) break;  // it ran to the end: every step has been a crash point
    ++crashed_at_steps;
  }
  // journalled, staged, claiming (the name taken), claiming, claimed, unstaged, settled-name.
  EXPECT_EQ(crashed_at_steps, 7);
}

// The row is committed but the process dies before settling: the file stays, the journal is emptied.
TEST(UploadStore, ACrashAfterTheRowIsCommittedKeepsTheFile) {
  Dirs d;
  ASSERT_FALSE(keep_and_die(d, 0, "b.flac"));
  auto kept = (d.storage / "user-1" / "b.flac").string();
  ASSERT_TRUE(fs::exists(kept));
  UploadStore store(d.storage.string(), d.journal.string());
  EXPECT_EQ(store.sweep([&](const std::string& p) { return p == kept; }), 0u);
  EXPECT_EQ(files_in(d.storage), std::set<std::string>{"user-1/b.flac"});
  EXPECT_EQ(d.intents(), 0u);
}
