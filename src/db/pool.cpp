#include "db/pool.hpp"

#include "model/errors.hpp"

namespace st::db {

Pool::Pool(Factory factory, std::size_t size, std::chrono::milliseconds acquire_timeout)
    : factory_(std::move(factory)), size_(size == 0 ? 1 : size), timeout_(acquire_timeout) {
  // Open one connection now: configuration errors surface at start, and we learn the dialect.
  auto first = factory_();
  dialect_ = first->dialect();
  idle_.push_back(std::move(first));
  open_ = 1;
}

Pool::Lease::~Lease() noexcept {
  if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout_, [&] { return !idle_.empty() || open_ < size_; }))
    throw model::StorageError("timed out waiting for a database connection");
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(this, factory_());
  } catch (...) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Connection> c) noexcept {
  std::lock_guard lock(mu_);
  if (c->healthy()) idle_.push_back(std::move(c));
  else --open_;
  cv_.notify_one();
}

}  // namespace st::db
