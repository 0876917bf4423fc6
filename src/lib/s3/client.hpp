#pragma once
// A client for one bucket of an S3-compatible store (AWS, Ceph radosgw, MinIO, Garage...): objects put
// whole or streamed in parts, read whole or by range, listed, deleted, presigned for a redirect. Every
// request is signed with our SigV4 (sigv4.hpp) and bounded in time; failures are Error with a kind the
// HTTP layer maps to 404, 502 or 503.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "lib/s3/responses.hpp"
#include "lib/s3/sigv4.hpp"

namespace st::lib::s3 {

struct Config {
  std::string endpoint;  // "https://s3.example.org" or "http://127.0.0.1:7480", no path
  std::string bucket;
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::string prefix;       // prepended to every key ("soundtime/"), stripped from listed keys
  bool path_style = true;   // endpoint/bucket/key; false: bucket.endpoint/key (virtual-hosted)
  long connect_timeout_seconds = 5;
  long stall_seconds = 30;  // a transfer slower than 1 byte/s for this long fails
  long request_timeout_seconds = 120;  // requests without a large body
  std::size_t part_size = 8 * 1024 * 1024;  // multipart: S3 wants at least 5 MiB except the last
};

class Error : public std::runtime_error {
 public:
  enum class Kind {
    NotFound,     // no such key (or bucket)
    Unavailable,  // unreachable, timed out, stalled, or the store answered 5xx / SlowDown: try later
    Refused,      // the store refused the request (credentials, permissions, bad request)
  };
  Error(Kind kind, long status, std::string code, const std::string& what)
      : std::runtime_error(what), kind(kind), status(status), code(std::move(code)) {}
  Kind kind;
  long status;       // the store's HTTP status, 0 without an answer
  std::string code;  // the store's error code ("NoSuchKey", "AccessDenied"), when it sent one
};

struct ObjectInfo {
  long status = 0;           // 200, or 206 for a range
  std::uint64_t length = 0;  // bytes in this answer
  std::uint64_t size = 0;    // the whole object's size
  std::string etag;
  std::string content_type;
};

class Client {
 public:
  explicit Client(Config config);

  const Config& config() const { return config_; }

  // The bucket answers with these credentials. Throws Error.
  void check_bucket() const;
  void create_bucket() const;  // tests and first setup; an existing bucket of ours is fine

  void put(std::string_view key, std::string_view body, std::string_view content_type) const;
  // Reads the body from `read` (0 at the end) and stores it: one PUT when it fits in a part, else a
  // multipart upload, aborted when anything fails (the reader throwing included) so no object and no
  // pending upload is left. Returns the bytes stored.
  std::uint64_t put_stream(std::string_view key, const std::function<std::size_t(char*, std::size_t)>& read,
                           std::string_view content_type) const;

  std::optional<ObjectInfo> head(std::string_view key) const;
  // Streams the object (or [first, last] inclusive) to sink; false from the sink stops (Error Unavailable
  // is not thrown then: the caller chose to stop). Throws Error (NotFound, Refused with 416 for a range
  // past the end).
  ObjectInfo get(std::string_view key, std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
                 const std::function<bool(std::string_view)>& sink) const;
  std::string get_all(std::string_view key, std::size_t max_bytes) const;
  void remove(std::string_view key) const;  // a missing key is not an error

  // One page of keys under prefix (relative to the client's prefix; returned keys are relative too).
  ObjectList list(std::string_view prefix, std::string_view continuation = {}, int max_keys = 1000) const;
  // Multipart uploads begun and neither completed nor aborted (an interrupted upload), and their abort.
  UploadList pending_uploads(std::string_view prefix = {}) const;
  void abort_upload(std::string_view key, std::string_view upload_id) const;

  // A URL that GETs the object without credentials until it expires.
  std::string presigned_get(std::string_view key, std::chrono::seconds expires) const;

 private:
  struct Target {
    std::string url;
    std::string host;
    std::string path;  // raw, for signing
  };
  Target target(std::string_view key, const Pairs& query) const;
  template <typename Req>
  auto call(const Req& r, const std::string& what) const;  // signs and sends (client.cpp)
  std::string full_key(std::string_view key) const { return config_.prefix + std::string(key); }
  std::string relative(const std::string& key) const;

  std::string create_upload(const std::string& key, std::string_view content_type) const;
  std::string put_part(const std::string& key, const std::string& upload_id, int number, std::string_view data) const;
  void complete_upload(const std::string& key, const std::string& upload_id,
                       const std::vector<std::pair<int, std::string>>& parts) const;

  Config config_;
  Credentials credentials_;
  std::string scheme_;  // "http" or "https"
  std::string authority_;  // host[:port] of the endpoint
};

// "YYYYMMDDTHHMMSSZ" for a time point.
std::string amz_date(std::chrono::system_clock::time_point t);

}  // namespace st::lib::s3
