#include "db/pool.hpp"

#include <fmt/format.h>

#include <cmath>

#include "model/database_unavailable.hpp"
#include "model/errors.hpp"

namespace st::db {

namespace {
constexpr std::chrono::milliseconds kFirstPause{100};
constexpr std::chrono::milliseconds kLongestPause{2000};  // a database back is used within 2 s
}  // namespace

Pool::Pool(Factory factory, std::size_t size, std::chrono::milliseconds acquire_timeout)
    : factory_(std::move(factory)), size_(size == 0 ? 1 : size), timeout_(acquire_timeout) {
  // Open one connection now: configuration errors surface at start, and we learn the dialect.
  auto first = factory_();
  attempts_ = 1;
  dialect_ = first->dialect();
  idle_.push_back(std::move(first));
  open_ = 1;
}

void Pool::set_event_log(EventLog log) {
  std::lock_guard lock(mu_);
  log_ = std::move(log);
}

bool Pool::down() const {
  std::lock_guard lock(mu_);
  return down_;
}

std::uint64_t Pool::connection_attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

std::uint64_t Pool::uses() const {
  std::lock_guard lock(mu_);
  return uses_;
}

bool Pool::release_idle_memory() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard lock(mu_);
    if (idle_.size() != open_) return false;
    // All but one close: each keeps what it learnt of the schema (~0.6 MB on SQLite; a backend process on
    // PostgreSQL); the next busy moment opens them again, a millisecond or a few each.
    while (idle_.size() > 1) {
      closing.push_back(std::move(idle_.back()));
      idle_.pop_back();
      --open_;
    }
    for (auto& c : idle_) c->release_memory();
  }
  return true;  // `closing` closes its connections here, outside the lock
}

Pool::Lease::~Lease() noexcept {
  if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

void Pool::refuse() {
  ++refused_;
  auto wait = std::chrono::duration<double>(next_attempt_ - Clock::now()).count();
  throw model::DatabaseUnavailable("The database is unreachable: " + reason_,
                                   static_cast<int>(std::ceil(std::max(wait, 1.0))));
}

void Pool::note_failure(const std::string& reason) {
  auto now = Clock::now();
  reason_ = reason;
  if (!down_) {
    down_ = true;
    down_since_ = now;
    refused_ = 0;
    backoff_ = kFirstPause;
    if (log_) log_(fmt::format("database unreachable: {} (answering 503 until it is back)", reason));
  } else {
    backoff_ = std::min(backoff_ * 2, kLongestPause);
  }
  next_attempt_ = now + backoff_;
  // The connections kept idle went to the same database: none is to be trusted now.
  open_ -= idle_.size();
  idle_.clear();
}

std::unique_ptr<Connection> Pool::connect() {
  {
    std::lock_guard lock(mu_);
    ++attempts_;
  }
  try {
    auto c = factory_();
    std::lock_guard lock(mu_);
    if (down_) {
      auto secs = std::chrono::duration<double>(Clock::now() - down_since_).count();
      if (log_) log_(fmt::format("database reachable again after {:.1f} s ({} requests answered 503 meanwhile)", secs, refused_));
      down_ = false;
    }
    return c;
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    note_failure(e.what());
    throw model::DatabaseUnavailable(std::string("The database is unreachable: ") + e.what(),
                                     static_cast<int>(std::ceil(std::chrono::duration<double>(backoff_).count())));
  }
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mu_);
  if (down_) {
    // Fail fast: one caller at a time, once the pause is over, tries a new connection; the others are
    // answered at once instead of each waiting for a connection attempt of its own.
    if (probing_ || Clock::now() < next_attempt_) refuse();
    probing_ = true;
    ++open_;
    lock.unlock();
    struct Done {
      Pool* p;
      ~Done() {
        std::lock_guard l(p->mu_);
        p->probing_ = false;
      }
    } done{this};
    try {
      return Lease(this, connect());
    } catch (...) {
      std::lock_guard relock(mu_);
      --open_;
      cv_.notify_one();
      throw;
    }
  }
  if (!cv_.wait_for(lock, timeout_, [&] { return down_ || !idle_.empty() || open_ < size_; }))
    throw model::StorageError("timed out waiting for a database connection");
  if (down_) refuse();
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(this, connect());
  } catch (...) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_all();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Connection> c) noexcept {
  std::lock_guard lock(mu_);
  ++uses_;
  if (c->healthy()) {
    idle_.push_back(std::move(c));
  } else {
    // Lost (the database restarted, or went away): the idle ones most likely are too. Dropping them
    // makes the next request open a fresh connection, which tells whether the database is back.
    --open_;
    open_ -= idle_.size();
    idle_.clear();
  }
  cv_.notify_one();
}

}  // namespace st::db
