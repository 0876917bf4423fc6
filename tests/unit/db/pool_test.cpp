// The pool during a database outage (issue 17, item 24): fail fast with DatabaseUnavailable, one
// connection attempt per pause instead of one per request, the outage reported once with its duration.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "db/pool.hpp"
#include "model/database_unavailable.hpp"

using namespace st;

namespace {

struct FakeConnection final : db::Connection {
  explicit FakeConnection(std::shared_ptr<std::atomic<bool>> up) : up_(std::move(up)) {}
  db::Dialect dialect() const override { return db::Dialect::postgres; }
  db::Rows query(std::string_view, const std::vector<db::Value>&) override {
    if (!*up_) {
      lost_ = true;
      throw model::DatabaseUnavailable("server closed the connection unexpectedly", 1);
    }
    return {};
  }
  void exec_script(std::string_view) override {}
  void begin() override {}
  void commit() override {}
  void rollback() noexcept override {}
  void lock_table(std::string_view) override {}
  bool healthy() const override { return !lost_; }
  std::shared_ptr<std::atomic<bool>> up_;
  bool lost_ = false;
};

struct Fixture {
  std::shared_ptr<std::atomic<bool>> up = std::make_shared<std::atomic<bool>>(true);
  std::vector<std::string> events;
  db::Pool pool{[this]() -> std::unique_ptr<db::Connection> {
                  if (!*up) throw std::runtime_error("connection refused");
                  return std::make_unique<FakeConnection>(up);
                },
                4};
  Fixture() {
    pool.set_event_log([this](std::string_view m) { events.emplace_back(m); });
  }
  // One request: a query on a leased connection.
  bool request() {
    try {
      auto lease = pool.acquire();
      lease->query("SELECT 1");
      return true;
    } catch (const model::DatabaseUnavailable& e) {
      EXPECT_GE(e.retry_after_seconds(), 1);
      return false;
    }
  }
};

}  // namespace

TEST(PoolOutage, FailsFastWithoutAConnectionAttemptPerRequest) {
  Fixture f;
  EXPECT_TRUE(f.request());
  *f.up = false;
  auto before = f.pool.connection_attempts();
  int refused = 0;
  for (int i = 0; i < 1000; ++i) refused += f.request() ? 0 : 1;
  EXPECT_EQ(refused, 1000);
  EXPECT_TRUE(f.pool.down());
  // The first request found its connection lost, the next one tried to connect; then the pauses between
  // attempts (100 ms, doubling) hold every other request back: a few attempts at most, not 1000.
  EXPECT_LE(f.pool.connection_attempts() - before, 5u);
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_NE(f.events[0].find("database unreachable: connection refused"), std::string::npos);
}

TEST(PoolOutage, RecoversByItselfAndReportsTheDuration) {
  Fixture f;
  *f.up = false;
  EXPECT_FALSE(f.request());
  EXPECT_FALSE(f.request());
  *f.up = true;
  // Once the pause is over, a request connects again (polling: the pause starts at 100 ms).
  bool ok = false;
  for (int i = 0; i < 2000 && !ok; ++i) {
    ok = f.request();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(ok);
  EXPECT_FALSE(f.pool.down());
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_NE(f.events[1].find("database reachable again after"), std::string::npos);
  EXPECT_NE(f.events[1].find("requests answered 503 meanwhile"), std::string::npos);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(f.request());
}
