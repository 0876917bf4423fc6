#pragma once
// Where recently played tracks' bytes are, remembered for a few seconds so that the range requests of a
// seeking player (one per seek, dozens per track) are answered without reading the database, on a network
// thread (api/stream_routes). An entry expires after its time to live: a track deleted or given another
// file meanwhile may be served from the file it had for that long, no longer, and never once that file is
// gone (it is opened for every request). Thread-safe; find() takes a mutex only, never does I/O.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/catalog.hpp"

namespace st::library {

class StreamSourceCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StreamSourceCache(std::chrono::milliseconds ttl = std::chrono::seconds(5), std::size_t capacity = 4096);

  std::optional<model::StreamSource> find(std::string_view track_id, Clock::time_point now = Clock::now()) const;
  void put(std::string_view track_id, model::StreamSource source, Clock::time_point now = Clock::now());
  // At once, for a track deleted or changed by this process; then tells the on_forget listener (other
  // nodes on the same database).
  void forget(std::string_view track_id);
  // For a track another node deleted or changed (or everything, after notices may have been lost).
  void forget_here(std::string_view track_id);
  void clear();
  // One listener, set by the composition root before requests are served.
  void on_forget(std::function<void(std::string_view)> listener) { on_forget_ = std::move(listener); }
  std::size_t size() const;

 private:
  struct Entry {
    model::StreamSource source;
    Clock::time_point expires;
  };
  std::chrono::milliseconds ttl_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::function<void(std::string_view)> on_forget_;
};

}  // namespace st::library
