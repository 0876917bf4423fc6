// The log is copied into the database file by the checkpointer's thread, not by the committing writer
// (db/wal_checkpointer.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "db/sqlite_backend.hpp"
#include "db/wal_checkpointer.hpp"
#include "support/temp_dir.hpp"

using namespace st;

namespace {

// Waits for the thread's first checkpoint; the bound only keeps a broken build from hanging.
bool checkpointed(const db::WalCheckpointer& c, std::uint64_t at_least) {
  for (int i = 0; i < 6000 && c.checkpoints() < at_least; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return c.checkpoints() >= at_least;
}

}  // namespace

TEST(WalCheckpointer, OnlyALongLogWakesItAndOnlyAHugeOneMakesTheWriterDoIt) {
  test::TempDir t("st-wal-");
  db::WalCheckpointer c(t.file("t.db"));
  EXPECT_FALSE(c.note_commit(10));
  EXPECT_FALSE(c.note_commit(db::WalCheckpointer::kThresholdPages));
  EXPECT_FALSE(c.note_commit(db::WalCheckpointer::kBackstopPages - 1));
  EXPECT_TRUE(c.note_commit(db::WalCheckpointer::kBackstopPages));
}

TEST(WalCheckpointer, ACommitPastTheThresholdIsCopiedByItsThread) {
  test::TempDir t("st-wal-");
  auto checkpointer = std::make_shared<db::WalCheckpointer>(t.file("t.db"));
  auto conn = db::open_sqlite(t.file("t.db"), checkpointer);
  conn->exec_script("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)");
  auto main_size = [&] { return std::filesystem::file_size(t.file("t.db")); };
  // A few small commits: the log stays short and the file small (SQLite alone would not copy them either).
  for (int i = 0; i < 3; ++i) conn->query("INSERT INTO blobs (data) VALUES (randomblob(100))", {});
  EXPECT_EQ(checkpointer->checkpoints(), 0u);
  EXPECT_LT(main_size(), 1u << 20);
  // One commit of 8 MB (2,000 pages): the writer returns, the thread copies them.
  conn->begin();
  for (int i = 0; i < 2000; ++i) conn->query("INSERT INTO blobs (data) VALUES (randomblob(4000))", {});
  conn->commit();
  ASSERT_TRUE(checkpointed(*checkpointer, 1));
  EXPECT_GT(main_size(), 8'000'000u);  // the 2,000 rows
  // Everything reads back through a fresh connection once the writer has gone.
  conn.reset();
  auto again = db::open_sqlite(t.file("t.db"));
  EXPECT_EQ(again->query("SELECT COUNT(*), SUM(length(data)) FROM blobs", {}).rows.at(0).integer(1), 3 * 100 + 2000 * 4000);
}

// A reader on an older snapshot keeps the new pages from being copied; once it is done, the thread's next
// try (a second later, without another commit) copies them.
TEST(WalCheckpointer, WhatAReaderHeldBackIsCopiedOnceItIsDone) {
  test::TempDir t("st-wal-");
  auto checkpointer = std::make_shared<db::WalCheckpointer>(t.file("t.db"));
  auto conn = db::open_sqlite(t.file("t.db"), checkpointer);
  auto reader = db::open_sqlite(t.file("t.db"));
  conn->exec_script("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)");
  conn->query("INSERT INTO blobs (data) VALUES (randomblob(100))", {});
  reader->exec_script("BEGIN");
  EXPECT_EQ(reader->query("SELECT COUNT(*) FROM blobs", {}).rows.at(0).integer(0), 1);  // its snapshot
  conn->begin();
  for (int i = 0; i < 2000; ++i) conn->query("INSERT INTO blobs (data) VALUES (randomblob(4000))", {});
  conn->commit();
  ASSERT_TRUE(checkpointed(*checkpointer, 1));
  EXPECT_LT(std::filesystem::file_size(t.file("t.db")), 1u << 20);  // the 2,000 rows are newer than the reader's snapshot
  reader->exec_script("COMMIT");
  ASSERT_TRUE(checkpointed(*checkpointer, 2));
  for (int i = 0; i < 6000 && std::filesystem::file_size(t.file("t.db")) <= 8'000'000u; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(std::filesystem::file_size(t.file("t.db")), 8'000'000u);
}

// A checkpoint that fails (here: the database cannot be opened) is tried again after a pause that grows,
// not at every commit: under a steady stream of long commits it tries a few times, not once per commit.
TEST(WalCheckpointer, AFailingCheckpointBacksOffWhateverTheCommits) {
  test::TempDir t("st-wal-");
  db::WalCheckpointer c(t.file("no-such-folder/t.db"));
  c.note_commit(db::WalCheckpointer::kThresholdPages);
  ASSERT_TRUE(checkpointed(c, 1));  // the first try, failed
  // 50 commits past the threshold over at least half a second: before the pause, each woke another try.
  for (int i = 0; i < 50; ++i) {
    c.note_commit(2 * db::WalCheckpointer::kThresholdPages);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Pauses of 1, 2, 4, 8 ... s: a handful of tries even if the loop above took many seconds.
  EXPECT_LE(c.checkpoints(), 5u);
}
