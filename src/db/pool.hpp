#pragma once
// A bounded pool of connections. acquire() waits (up to a timeout) when all are in use, so the number of
// database sessions never exceeds the configured size whatever the request load.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

class Pool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  Pool(Factory factory, std::size_t size, std::chrono::milliseconds acquire_timeout = std::chrono::seconds(30));

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

 private:
  void give_back(std::unique_ptr<Connection> c) noexcept;

  Factory factory_;
  std::size_t size_;
  std::chrono::milliseconds timeout_;
  Dialect dialect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
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
