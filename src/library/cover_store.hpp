#pragma once
// Album covers stored once, under a name derived from their content (covers/<2 hex>/<BLAKE3>.<ext>):
// a new cover is a new file, never an overwrite, so `immutable` caching is safe. With object storage
// (STORAGE_BACKEND=s3) a cover is an object of that name, which every node reads: local copies of it and
// of its scaled versions live in the bounded media cache; covers stored on this disk before stay readable.
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "library/media_cache.hpp"
#include "library/object_store.hpp"

namespace st::library {

class CoverStore {
 public:
  explicit CoverStore(std::string media_root) : root_(std::move(media_root)) {}

  // From now on covers are objects of store, read through cache (both outlive this). Called once, at start.
  void keep_in(ObjectStore& store, MediaCache& cache);

  // Stores image bytes (JPEG, PNG, WebP or GIF by content); returns the public URL
  // (/api/media/covers/...), or nothing when the bytes are not a cover we accept (see refusal).
  // Throws StorageError when the object store cannot take it.
  std::optional<std::string> store(std::string_view bytes);
  // Why bytes would not be stored, in words for the uploader; empty when they would be.
  static std::string refusal(std::string_view bytes);
  // cover.*, folder.*, front.*, album.* beside an audio file (JPEG/PNG/WebP), in that order. With
  // confine_to (a canonical folder ending in '/'), a cover whose real path is outside it is passed over:
  // a link in a music folder must not expose a file from elsewhere on the machine.
  std::optional<std::string> find_folder_cover(const std::string& audio_path,
                                               const std::optional<std::string>& confine_to = std::nullopt) const;

  // Whether a /api/media/ path (what follows /api/media/) names a cover: covers/<2 hex>/<64 hex>.<ext>,
  // nothing else, so no path can reach outside the covers.
  static bool is_cover_path(std::string_view media_path);
  // A local file with the bytes of the cover a /api/media/ path names: on this disk, or the media cache's
  // copy of its object, fetched now unless only_local. Nothing for a path that names no stored cover.
  // Throws StorageError when the object store cannot be read.
  std::optional<std::string> file(std::string_view media_path, bool only_local = false) const;

  // A JPEG of a stored cover file (as given by file()) fitting in size x size, made once and kept
  // beside the covers (scaled/<size>/...); the original when it is already that small; nothing when the
  // image cannot be scaled. Sizes are rounded up to a few steps so that the cache stays small.
  // One job per output at a time (concurrent asks wait for it) and kMaxScaleJobs in all, so a burst of
  // requests for one big cover decodes it once, not once per request.
  std::optional<std::string> scaled(const std::string& cover_file, int size) const;

  static constexpr int kMaxScaleJobs = 2;
  static constexpr std::size_t kMaxCoverBytes = 20 * 1024 * 1024;

 private:
  std::optional<std::string> scale_now(const std::string& cover_file, const std::string& out, int step) const;

  std::string root_;
  ObjectStore* objects_ = nullptr;
  MediaCache* cache_ = nullptr;
  mutable std::mutex jobs_mu_;
  mutable std::condition_variable jobs_cv_;
  mutable std::set<std::string> jobs_;  // outputs being made
};

// Whether the real path of `path` (links resolved) is inside `folder` (canonical, ending in '/').
bool resolves_within(const std::string& path, const std::string& folder);

// The image type of bytes by their signature: "jpg", "png", "webp", "gif", or empty.
std::string image_extension(std::string_view bytes);
// The media type of an image extension image_extension gives ("jpg" is image/jpeg).
std::string image_mime(std::string_view ext);

}  // namespace st::library
