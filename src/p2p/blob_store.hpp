#pragma once
// Blobs fetched from peers, kept under P2P_BLOBS_DIR as <hash>.blob beside their outboard <hash>.obao,
// within a byte quota: least recently used first out (file times persist the order across restarts).
// Also finds or computes the outboard of any blob we serve, local track files included.
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace st::p2p {

class BlobStore {
 public:
  BlobStore(std::string dir, std::uint64_t max_bytes, std::string library_outboard_dir);

  // The complete cached blob's path (marked as just used), or nothing.
  std::optional<std::string> cached(const std::string& hash);
  // A fresh file to assemble a download in.
  std::string part_path(const std::string& hash) const;
  // Rehashes a finished download; when it matches `hash`, moves it in place with its outboard and evicts
  // older blobs beyond the quota. Returns the final path, or nothing when the bytes do not match.
  std::optional<std::string> commit(const std::string& hash, const std::string& part);
  // Moves a download whose every group was verified against `hash` in place, without hashing it again
  // (its outboard is computed when it is first served); evicts as commit() does.
  std::optional<std::string> commit_verified(const std::string& hash, const std::string& part);
  void remove(const std::string& hash);

  // The outboard of the blob at `path` with this hash: from our store, the library's outboards, or
  // computed (and kept) by hashing the file. Null when the file no longer hashes to `hash`. Shared, not
  // copied: a peer fetching a blob asks for it once per range (400 KB for 100 MB).
  std::shared_ptr<const std::vector<std::uint8_t>> outboard(const std::string& hash, const std::string& path);

  std::uint64_t used_bytes();
  std::uint64_t max_bytes() const { return max_; }
  // Free bytes on the cache's filesystem for an unprivileged writer (the maximum when unknown).
  std::uint64_t available_bytes() const;

 private:
  void evict_locked(const std::string& keep);
  std::string blob_path(const std::string& hash) const;
  std::string obao_path(const std::string& hash) const;

  std::string dir_;
  std::uint64_t max_;
  std::string library_outboards_;
  std::mutex mu_;
  struct RecentOutboard {
    std::string hash, path;
    std::uint64_t size;
    std::filesystem::file_time_type mtime;
    std::shared_ptr<const std::vector<std::uint8_t>> outboard;
  };
  static constexpr std::size_t kRecentOutboards = 8;
  std::list<RecentOutboard> recent_;  // most recently served first (under mu_)
};

// True for 64 lowercase hex characters (hashes become file names: nothing else may).
bool is_hash_hex(std::string_view s);

}  // namespace st::p2p
