#pragma once
// An object store in memory for the library's tests: reads are slow enough (20 ms) that concurrent askers
// overlap, and can be made to fail half-way. Thread-safe.
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "library/object_store.hpp"

namespace st::library {

class MemoryStore final : public ObjectStore {
 public:
  // Set up before the code under test runs; read back with get() while it may run.
  std::map<std::string, std::string> objects;
  std::atomic<int> reads{0}, puts{0};
  std::atomic<bool> fail_midway{false};
  std::atomic<bool> down{false};  // every call fails as an unreachable store does

  std::optional<std::string> get(const std::string& key) {
    std::lock_guard l(mu_);
    auto it = objects.find(key);
    return it == objects.end() ? std::nullopt : std::optional(it->second);
  }
  std::size_t count(std::string_view prefix) {
    std::lock_guard l(mu_);
    std::size_t n = 0;
    for (const auto& [k, v] : objects) n += k.starts_with(prefix);
    return n;
  }

  std::string describe() const override { return "memory"; }
  void put_file(const std::string& key, const std::string& path, std::string_view) override {
    fail_if_down();
    std::ifstream in(path, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ++puts;
    std::lock_guard l(mu_);
    objects[key] = std::move(bytes);
  }
  std::optional<ObjectMeta> head(const std::string& key) override {
    fail_if_down();
    auto bytes = get(key);
    if (!bytes) return std::nullopt;
    return ObjectMeta{bytes->size(), "e"};
  }
  void read(const std::string& key, std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
            const std::function<bool(std::string_view)>& sink) override {
    fail_if_down();
    ++reads;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // concurrent askers overlap
    auto bytes = get(key);
    if (!bytes) throw StorageError(StorageError::Kind::not_found, "no " + key);
    std::string_view all = *bytes;
    if (range) all = all.substr(range->first, range->second - range->first + 1);
    sink(all.substr(0, all.size() / 2));
    if (fail_midway) throw StorageError(StorageError::Kind::unavailable, "connection reset");
    sink(all.substr(all.size() / 2));
  }
  void remove(const std::string& key) override {
    fail_if_down();
    std::lock_guard l(mu_);
    objects.erase(key);
  }
  void list(const std::string& prefix, const std::function<void(const std::string&, const ObjectMeta&)>& each) override {
    fail_if_down();
    std::map<std::string, std::string> all;
    {
      std::lock_guard l(mu_);
      all = objects;
    }
    for (const auto& [k, v] : all)
      if (k.starts_with(prefix)) each(k, ObjectMeta{v.size(), "e"});
  }
  std::string presigned_url(const std::string& key, std::chrono::seconds) override { return "http://x/" + key; }

 private:
  void fail_if_down() const {
    if (down) throw StorageError(StorageError::Kind::unavailable, "connection refused");
  }
  std::mutex mu_;
};

}  // namespace st::library
