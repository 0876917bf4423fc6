#pragma once
// Local copies of objects (STORAGE_BACKEND=s3) for what must read a file: tag reading, waveforms,
// transcodes, downloads, covers, and the streams of recently played tracks. (A cluster's follower keeps its
// copies of the leader's replicated tracks in one too, the leader as its store.) Bounded in bytes (S3_CACHE_MAX_SIZE):
// the least recently used copies go first. A copy is fetched once however many ask at the same time, and
// written under a temporary name first, so a reader never sees half an object. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "library/object_file.hpp"

namespace st::library {

class MediaCache {
 public:
  // Removes what an interrupted fetch left in dir and takes the copies already there into account.
  MediaCache(ObjectStore& store, std::string dir, std::uint64_t max_bytes);
  MediaCache(ObjectReader source, std::string dir, std::uint64_t max_bytes);

  // A local path with the track's bytes: file_path itself for a local file, else the object's copy
  // (fetched now when absent). Throws StorageError.
  std::string local_path(const std::string& file_path);
  // The copy of key, fetched now when absent. Throws StorageError.
  std::string fetch(const std::string& key);
  // The copy of key when there is one (and marks it used); never fetches.
  std::optional<std::string> cached(const std::string& key);
  // Takes a local file (just stored under key) as its copy: moved, not copied, when on the same filesystem.
  void adopt(const std::string& key, const std::string& file);
  void forget(const std::string& key);

  std::uint64_t bytes() const;
  std::string copy_path(const std::string& key) const;  // where key's copy is (or would be)

 private:
  struct Entry {
    std::uint64_t size = 0;
    std::uint64_t used = 0;  // a tick of this cache: larger is more recent
  };
  void add_locked(const std::string& name, std::uint64_t size);
  void evict_locked(const std::string& keep);
  bool present_locked(std::map<std::string, Entry>::iterator it);

  ObjectReader source_;
  std::string dir_;
  std::uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable fetched_;
  std::map<std::string, Entry> entries_;  // by file name in dir_
  std::set<std::string> fetching_;        // file names
  std::uint64_t bytes_ = 0;
  std::uint64_t tick_ = 0;
};

}  // namespace st::library
