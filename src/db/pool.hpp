#pragma once
// A bounded pool of connections. acquire() waits (up to a timeout) when all are in use, so the number of
// database sessions never exceeds the configured size whatever the request load.
// When the database cannot be reached, the pool is "down": acquire() fails at once with
// model::DatabaseUnavailable, and only one caller at a time tries to connect, with a growing pause
// between attempts (100 ms doubling to 5 s). The outage is reported once when it starts and once with
// its duration when a connection succeeds again.
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

class Pool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  using Clock = std::chrono::steady_clock;
  // Hears of outages (their start and end), for the log: a few lines per outage, not one per request.
  using EventLog = std::function<void(std::string_view)>;
  Pool(Factory factory, std::size_t size, std::chrono::milliseconds acquire_timeout = std::chrono::seconds(30));
  void set_event_log(EventLog log);

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), conn_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() noexcept;
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Lease acquire();
  Dialect dialect() const { return dialect_; }
  bool down() const;
  std::uint64_t connection_attempts() const;  // successful or not, since start (tests)
  // Leases given back since start: unchanged between two looks means the pool was idle in between.
  std::uint64_t uses() const;
  // Releases the memory of the connections not in use: all but one close, that one drops its page cache
  // and prepared statements. False when some connection is leased (then nothing is done: a busy pool is
  // not idle).
  bool release_idle_memory();

 private:
  void give_back(std::unique_ptr<Connection> c) noexcept;
  // Under mu_: a connection attempt failed, or a connection was lost.
  void note_failure(const std::string& reason);
  std::unique_ptr<Connection> connect();  // not under mu_
  [[noreturn]] void refuse();              // under mu_

  Factory factory_;
  std::size_t size_;
  std::chrono::milliseconds timeout_;
  Dialect dialect_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
  EventLog log_;
  bool down_ = false;
  bool probing_ = false;  // one caller is trying to connect during an outage
  Clock::time_point down_since_{}, next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  std::uint64_t refused_ = 0, attempts_ = 0, uses_ = 0;
  std::string reason_;
};

// Runs fn(Connection&) in a write transaction: commits when it returns, rolls back when it throws.
template <typename Fn>
auto transaction(Pool& pool, Fn&& fn) {
  auto lease = pool.acquire();
  lease->begin();
  try {
    if constexpr (std::is_void_v<decltype(fn(*lease))>) {
      fn(*lease);
      lease->commit();
    } else {
      auto r = fn(*lease);
      lease->commit();
      return r;
    }
  } catch (...) {
    lease->rollback();
    throw;
  }
}

}  // namespace st::db
