#pragma once
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lib/pq/result.hpp"

struct pg_conn;

namespace st::lib::pq {

class Error : public std::runtime_error {
 public:
  Error(std::string sqlstate, std::string message)
      : std::runtime_error(std::move(message)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  bool is_unique_violation() const noexcept { return sqlstate_ == "23505"; }
  bool is_disk_full() const noexcept { return sqlstate_ == "53100"; }

 private:
  std::string sqlstate_;
};

// One libpq connection in blocking mode. Used from a bounded worker pool, never from network threads.
class Connection {
 public:
  explicit Connection(const std::string& conninfo);
  ~Connection() noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool is_ok() const noexcept;

  // Runs a parameterless script (may hold several statements).
  void exec(std::string_view sql);
  void prepare(const std::string& name, std::string_view sql);
  // Text-format parameters; nullopt is SQL NULL. Throws Error (with SQLSTATE) on failure.
  Result exec_prepared(const std::string& name, const std::vector<std::optional<std::string>>& params);

  // For a connection that has run LISTEN: waits up to `timeout` for notifications and returns those that
  // arrived (channel, payload), possibly none. Throws Error when the connection is lost.
  struct Notification {
    std::string channel;
    std::string payload;
  };
  std::vector<Notification> wait_notifications(std::chrono::milliseconds timeout);

 private:
  Result check(Result r, std::string_view context);
  pg_conn* conn_ = nullptr;
};

}  // namespace st::lib::pq
