#include <gtest/gtest.h>

#include "db/repositories.hpp"
#include "support/test_database.hpp"

using namespace st;

namespace {

class TaskLedger : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    ledger_ = db::make_library_task_ledger(db_.pool());
  }
  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::LibraryTaskLedger> ledger_;
};

TEST_P(TaskLedger, KeepsTheLastStateWholeWithAwkwardText) {
  EXPECT_FALSE(ledger_->load()) << "nothing kept before the first task";
  model::TaskState running;
  running.status = model::TaskState::Status::running;
  running.kind = "sync";
  running.node = "node-a:8080";
  running.processed = 12;
  ledger_->save(running);
  auto kept = ledger_->load();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status, model::TaskState::Status::running);
  EXPECT_EQ(kept->node, "node-a:8080");
  EXPECT_EQ(kept->processed, 12u);
  EXPECT_FALSE(kept->total) << "an unknown total stays unknown";

  model::TaskState done;
  done.status = model::TaskState::Status::completed;
  done.kind = "integrity";
  done.node = "node-b";
  done.total = 3;
  done.total_checked = 3;
  done.healthy = 1;
  done.missing = {{"id-1", "Quote \" and \\ slash", "/music/a\nb.flac"}, {"id-2", "Caf\xc3\xa9 \xf0\x9f\x8e\xb5", "/m/c.mp3"}};
  done.errors = {"one", "two\ttab"};
  done.scanned = 1ull << 40;
  ledger_->save(done);  // replaces the first
  kept = ledger_->load();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status, model::TaskState::Status::completed);
  EXPECT_EQ(kept->kind, "integrity");
  EXPECT_EQ(kept->total, std::optional<std::uint64_t>(3));
  EXPECT_EQ(kept->healthy, 1u);
  ASSERT_EQ(kept->missing.size(), 2u);
  EXPECT_EQ(kept->missing[0].title, "Quote \" and \\ slash");
  EXPECT_EQ(kept->missing[0].file_path, "/music/a\nb.flac");
  EXPECT_EQ(kept->missing[1].title, "Caf\xc3\xa9 \xf0\x9f\x8e\xb5");
  EXPECT_EQ(kept->errors, (std::vector<std::string>{"one", "two\ttab"}));
  EXPECT_EQ(kept->scanned, 1ull << 40);
}

INSTANTIATE_TEST_SUITE_P(Engines, TaskLedger, test::kEngines);

}  // namespace
