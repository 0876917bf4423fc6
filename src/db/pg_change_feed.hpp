#pragma once
// model::ChangeFeed over PostgreSQL LISTEN/NOTIFY: a connection of its own listens on one channel (and
// after a lost connection, once it is back, tells its listener that everything may have changed, since
// notices sent meanwhile are lost); notices go out with pg_notify on a pooled connection.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "db/pool.hpp"
#include "model/change_feed.hpp"

namespace st::db {

class PgChangeFeed final : public model::ChangeFeed {
 public:
  PgChangeFeed(std::string conninfo, Pool& pool);
  ~PgChangeFeed() noexcept override;
  PgChangeFeed(const PgChangeFeed&) = delete;
  PgChangeFeed& operator=(const PgChangeFeed&) = delete;

  void publish(std::string_view topic, std::string_view key) override;
  // Sets the listener and starts listening (once).
  void listen(std::function<void(std::string_view, std::string_view)> listener) override;

 private:
  void run();
  void deliver(std::string_view topic, std::string_view key);
  bool pause(std::chrono::milliseconds d);  // false once stopping

  std::string conninfo_;
  Pool& pool_;
  std::function<void(std::string_view, std::string_view)> listener_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace st::db
