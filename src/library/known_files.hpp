#pragma once
// What a rescan knows of the files under its root, compactly: one byte string of all relative paths and
// a sorted array of (offset, length, size, mtime, seen). A million tracks take ~70 MB here, against
// several hundred MB as a map of strings with their track ids (ids are looked up only for changed files).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st::library {

class KnownFiles {
 public:
  explicit KnownFiles(std::string prefix) : prefix_(std::move(prefix)) {}

  // Paths outside the prefix are ignored. Call sort() after the last add() and before find().
  void add(std::string_view path, std::int64_t size, std::int64_t mtime);
  void sort();

  struct Entry {
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    bool seen = false;
    std::int64_t size = 0, mtime = 0;
  };
  // The entry of a path, or nullptr.
  Entry* find(std::string_view path);
  std::size_t size() const { return entries_.size(); }

  // The full paths of the entries not marked seen, in byte order.
  template <typename Fn>
  void for_each_unseen(Fn&& fn) const {
    std::string path;
    for (const auto& e : entries_) {
      if (e.seen) continue;
      path.assign(prefix_).append(text_, e.offset, e.length);
      fn(path);
    }
  }

 private:
  std::string_view name(const Entry& e) const { return std::string_view(text_).substr(e.offset, e.length); }

  std::string prefix_;
  std::string text_;
  std::vector<Entry> entries_;
};

}  // namespace st::library
