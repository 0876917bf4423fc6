#include "db/pg_change_feed.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "lib/pq/connection.hpp"

namespace st::db {

namespace {
constexpr const char* kChannel = "soundtime_changes";
constexpr std::size_t kMaxPayload = 7000;  // PostgreSQL's limit is 8000 bytes
}  // namespace

PgChangeFeed::PgChangeFeed(std::string conninfo, Pool& pool) : conninfo_(std::move(conninfo)), pool_(pool) {}

PgChangeFeed::~PgChangeFeed() noexcept {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PgChangeFeed::listen(std::function<void(std::string_view, std::string_view)> listener) {
  if (thread_.joinable()) return;
  listener_ = std::move(listener);
  thread_ = std::thread([this] { run(); });
}

void PgChangeFeed::publish(std::string_view topic, std::string_view key) {
  std::string payload(topic);
  payload += '\t';
  payload.append(key.substr(0, kMaxPayload - std::min(kMaxPayload, payload.size())));
  try {
    auto lease = pool_.acquire();
    lease->query("SELECT pg_notify(?, ?)", {std::string(kChannel), payload});
  } catch (const std::exception& e) {
    spdlog::warn("cluster: cannot tell the other nodes that {} changed: {}", topic, e.what());
  }
}

void PgChangeFeed::deliver(std::string_view topic, std::string_view key) {
  spdlog::debug("cluster: change notice {} {}", topic, key);
  if (!listener_) return;
  try {
    listener_(topic, key);
  } catch (const std::exception& e) {
    spdlog::warn("cluster: handling a change notice ({}): {}", topic, e.what());
  }
}

bool PgChangeFeed::pause(std::chrono::milliseconds d) {
  std::unique_lock l(mu_);
  return !cv_.wait_for(l, d, [this] { return stopping_; });
}

void PgChangeFeed::run() {
  bool was_connected = false, lost = false;
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    {
      std::lock_guard l(mu_);
      if (stopping_) return;
    }
    try {
      lib::pq::Connection c(conninfo_);
      c.exec(std::string("LISTEN ") + kChannel);
      backoff = std::chrono::milliseconds(100);
      if (lost) {
        spdlog::info("cluster: listening to the other nodes' changes again");
        deliver(model::change_topic::everything, "");  // what was said meanwhile is lost
      }
      was_connected = true;
      lost = false;
      for (;;) {
        {
          std::lock_guard l(mu_);
          if (stopping_) return;
        }
        for (const auto& n : c.wait_notifications(std::chrono::milliseconds(250))) {
          auto tab = n.payload.find('\t');
          if (tab == std::string::npos) continue;
          deliver(std::string_view(n.payload).substr(0, tab), std::string_view(n.payload).substr(tab + 1));
        }
      }
    } catch (const std::exception& e) {
      if (!lost && was_connected) spdlog::warn("cluster: lost the other nodes' changes: {}", e.what());
      lost = was_connected || lost;
      if (!pause(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
}

}  // namespace st::db
