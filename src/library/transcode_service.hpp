#pragma once
// Transcoding for listeners: a bounded number at once, results kept in a disk cache keyed by
// (content hash, codec, bitrate) with a size quota and least-recently-used eviction. A transcode
// streams while it runs and lands in the cache only when it completed. With object storage the nodes
// share their results: a completed one is also stored as an object (transcodes/<its name>), a node that
// lacks a result fetches that object before transcoding, and a node that evicts a result removes its
// object too (so the store holds no more than the nodes' caches together).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audio/transcoder.hpp"
#include "library/object_store.hpp"

namespace st::library {

struct TranscodeRequest {
  std::string source_path;
  std::string content_hash;  // identifies the source bytes (cache key)
  audio::TranscodeSpec spec;
};

class TranscodeStream {
 public:
  virtual ~TranscodeStream() = default;
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

class TranscodeService {
 public:
  TranscodeService(std::string cache_dir, std::uint64_t quota_bytes, unsigned max_concurrent);
  ~TranscodeService();

  // Shares results through store (which outlives this), from now on. Stores and removals of objects run
  // on a thread of their own, so that no listener waits for them.
  void share_through(ObjectStore& store);

  // The cached result, when there is one (and marks it recently used).
  std::optional<std::string> cached(const TranscodeRequest& r);
  // Starts a transcode. Throws DomainError(unavailable) when the limit of concurrent transcodes is
  // reached, audio::AudioError when the source cannot be transcoded.
  std::unique_ptr<TranscodeStream> start(const TranscodeRequest& r);

  // Deletes the least recently used results until the cache fits its quota.
  void evict();

  // Waits until the objects to store or remove so far are (for tests); true unless the store failed.
  bool settle();

 private:
  friend class CachingStream;
  std::string path_for(const TranscodeRequest& r) const;
  static std::string shared_key(const std::string& path);  // the object of a cached result
  std::optional<std::string> fetch_shared(const std::string& path);
  void completed(const std::string& path);
  struct ObjectJob {
    bool put = true;  // else remove
    std::string key, path;
  };
  void enqueue(ObjectJob job);
  void share_loop();

  std::string dir_;
  std::uint64_t quota_;
  unsigned max_;
  std::atomic<unsigned> active_{0};
  std::mutex evict_mu_;

  ObjectStore* store_ = nullptr;
  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<ObjectJob> jobs_;
  bool busy_ = false, stopping_ = false, failed_ = false;
  std::thread sharer_;
  static constexpr std::size_t kMaxPendingJobs = 1000;  // beyond, a result is simply not shared
};

}  // namespace st::library
