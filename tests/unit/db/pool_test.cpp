// The pool during a database outage (issue 17, item 24): fail fast with DatabaseUnavailable, one
// connection attempt per pause instead of one per request, the outage reported once with its duration.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "db/idle_memory.hpp"
#include "db/pool.hpp"
#include "model/database_unavailable.hpp"

using namespace st;

namespace {

struct FakeConnection final : db::Connection {
  FakeConnection(std::shared_ptr<std::atomic<bool>> up, std::shared_ptr<std::atomic<int>> releases)
      : up_(std::move(up)), releases_(std::move(releases)) {}
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
  void release_memory() noexcept override { ++*releases_; }
  std::shared_ptr<std::atomic<bool>> up_;
  std::shared_ptr<std::atomic<int>> releases_;
  bool lost_ = false;
};

struct Fixture {
  std::shared_ptr<std::atomic<bool>> up = std::make_shared<std::atomic<bool>>(true);
  std::shared_ptr<std::atomic<int>> releases = std::make_shared<std::atomic<int>>(0);
  std::vector<std::string> events;
  db::Pool pool{[this]() -> std::unique_ptr<db::Connection> {
                  if (!*up) throw std::runtime_error("connection refused");
                  return std::make_unique<FakeConnection>(up, releases);
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

TEST(PoolIdleMemory, ReleasedOnlyWhenNoConnectionIsLeased) {
  Fixture f;
  {
    auto lease = f.pool.acquire();
    EXPECT_FALSE(f.pool.release_idle_memory());
    EXPECT_EQ(*f.releases, 0);
  }
  EXPECT_TRUE(f.pool.release_idle_memory());
  EXPECT_EQ(*f.releases, 1);
}

TEST(PoolIdleMemory, AQuietPoolKeepsOneConnectionAndOpensTheOthersAgainWhenBusy) {
  Fixture f;
  {
    auto a = f.pool.acquire(), b = f.pool.acquire(), c = f.pool.acquire();  // three open
  }
  auto opened = f.pool.connection_attempts();
  EXPECT_EQ(opened, 3u);
  EXPECT_TRUE(f.pool.release_idle_memory());
  EXPECT_EQ(*f.releases, 1);  // the one kept; the two others closed
  {
    auto a = f.pool.acquire(), b = f.pool.acquire(), c = f.pool.acquire(), d = f.pool.acquire();
    EXPECT_EQ(f.pool.connection_attempts(), opened + 3);  // the kept one, and three opened again
  }
  EXPECT_TRUE(f.request());
  EXPECT_EQ(f.pool.connection_attempts(), opened + 3);  // four idle now: reused
}

// Waits (without a deadline that a slow machine could miss) until pred holds, giving up after a minute.
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 6000 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return pred();
}

TEST(PoolIdleMemory, ReleasedOncePerQuietSpell) {
  Fixture f;
  ASSERT_TRUE(f.request());
  db::IdleMemoryRelease idle(f.pool, std::chrono::milliseconds(20));
  ASSERT_TRUE(eventually([&] { return idle.releases() == 1; }));
  EXPECT_EQ(*f.releases, 1);
  // Still quiet: nothing more to give back, whatever number of looks happen meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(idle.releases(), 1u);
  EXPECT_EQ(*f.releases, 1);
  // A request, then quiet again: a second release.
  ASSERT_TRUE(f.request());
  ASSERT_TRUE(eventually([&] { return idle.releases() == 2; }));
  EXPECT_EQ(*f.releases, 2);
}

TEST(PoolIdleMemory, CachesAreDroppedInQuietSpellsUntilUnhooked) {
  Fixture f;
  db::IdleMemoryRelease idle(f.pool, std::chrono::milliseconds(20));
  std::atomic<int> drops{0};
  idle.drop_caches_with([&drops] { ++drops; });
  ASSERT_TRUE(f.request());  // then quiet: a release, with the caches dropped
  ASSERT_TRUE(eventually([&] { return drops.load() >= 1; }));
  // Unhooked (waits for a drop under way): no more drops, though releases go on.
  idle.drop_caches_with(nullptr);
  int dropped = drops.load();
  auto released = idle.releases();
  ASSERT_TRUE(f.request());
  ASSERT_TRUE(eventually([&] { return idle.releases() > released; }));
  EXPECT_EQ(drops.load(), dropped);
}

TEST(PoolIdleMemory, ABusyPoolKeepsItsMemory) {
  Fixture f;
  db::IdleMemoryRelease idle(f.pool, std::chrono::milliseconds(20));
  auto lease = f.pool.acquire();  // held through many looks: never idle
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(idle.releases(), 0u);
  EXPECT_EQ(*f.releases, 0);
}
