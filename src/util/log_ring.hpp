#pragma once
// A bounded, thread-safe buffer of the latest log events of one subsystem (the admin's P2P log view).
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "util/time.hpp"

namespace st::util {

struct LogEvent {
  Micros timestamp = 0;
  std::string level;  // "TRACE", "DEBUG", "INFO", "WARN", "ERROR"
  std::string target;
  std::string message;
};

class LogRing {
 public:
  explicit LogRing(std::size_t capacity) : capacity_(capacity ? capacity : 1) {}
  void push(LogEvent e);
  // The last `limit` events (oldest first) of one level (case-insensitive; empty: every level).
  std::vector<LogEvent> recent(const std::optional<std::string>& level, std::optional<std::size_t> limit) const;
  std::size_t size() const;
  void clear();

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::deque<LogEvent> events_;
};

}  // namespace st::util
