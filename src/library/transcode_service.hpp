#pragma once
// Transcoding for listeners: a bounded number at once, results kept in a disk cache keyed by
// (content hash, codec, bitrate) with a size quota and least-recently-used eviction. A transcode
// streams while it runs and lands in the cache only when it completed.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "audio/transcoder.hpp"

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

  // The cached result, when there is one (and marks it recently used).
  std::optional<std::string> cached(const TranscodeRequest& r);
  // Starts a transcode. Throws DomainError(unavailable) when the limit of concurrent transcodes is
  // reached, audio::AudioError when the source cannot be transcoded.
  std::unique_ptr<TranscodeStream> start(const TranscodeRequest& r);

  // Deletes the least recently used results until the cache fits its quota.
  void evict();

 private:
  friend class CachingStream;
  std::string path_for(const TranscodeRequest& r) const;

  std::string dir_;
  std::uint64_t quota_;
  unsigned max_;
  std::atomic<unsigned> active_{0};
  std::mutex evict_mu_;
};

}  // namespace st::library
