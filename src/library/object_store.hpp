#pragma once
// Object storage for uploaded audio (STORAGE_BACKEND=s3): the few operations the library needs, so that
// the library and the routes stay free of any S3 client (app/ adapts lib/s3 to this). A track whose bytes
// live there has file_path "s3://<key>"; its key is the path it would have under AUDIO_STORAGE_PATH.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace st::library {

inline constexpr std::string_view kObjectScheme = "s3://";

// Keys beside the tracks' (which start with their uploader's id): covers, named as their /api/media/ path,
// and transcodes shared by the nodes (the cache of library/transcode_service).
inline constexpr std::string_view kCoverKeys = "covers/";
inline constexpr std::string_view kTranscodeKeys = "transcodes/";
inline bool names_a_track(std::string_view key) {
  return !key.starts_with(kCoverKeys) && !key.starts_with(kTranscodeKeys);
}

inline bool is_object_path(std::string_view file_path) { return file_path.starts_with(kObjectScheme); }
inline std::string object_key(std::string_view file_path) { return std::string(file_path.substr(kObjectScheme.size())); }

class StorageError : public std::runtime_error {
 public:
  enum class Kind { not_found, unavailable, refused };
  StorageError(Kind kind, const std::string& what) : std::runtime_error(what), kind(kind) {}
  Kind kind;
};

struct ObjectMeta {
  std::uint64_t size = 0;
  std::string etag;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // "s3://bucket/prefix" for the admin's storage status.
  virtual std::string describe() const = 0;
  // Stores a local file under key (in parts when large); nothing is left under key, nor a pending
  // upload, when it fails. Throws StorageError.
  virtual void put_file(const std::string& key, const std::string& local_path, std::string_view content_type) = 0;
  virtual std::optional<ObjectMeta> head(const std::string& key) = 0;
  // Bytes [first, last] (inclusive; the whole object without a range) to sink; false from the sink stops.
  virtual void read(const std::string& key, std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
                    const std::function<bool(std::string_view)>& sink) = 0;
  virtual void remove(const std::string& key) = 0;  // a missing key is not an error
  // Every key under prefix, page by page. Throws StorageError.
  virtual void list(const std::string& prefix, const std::function<void(const std::string& key, const ObjectMeta&)>& each) = 0;
  // A URL a player can fetch the object from directly, valid for `expires`.
  virtual std::string presigned_url(const std::string& key, std::chrono::seconds expires) = 0;
};

}  // namespace st::library
