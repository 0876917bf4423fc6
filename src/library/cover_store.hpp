#pragma once
// Album covers stored once, under a name derived from their content (covers/<2 hex>/<BLAKE3>.<ext>):
// a new cover is a new file, never an overwrite, so `immutable` caching is safe.
#include <optional>
#include <string>
#include <string_view>

namespace st::library {

class CoverStore {
 public:
  explicit CoverStore(std::string media_root) : root_(std::move(media_root)) {}

  // Stores image bytes (JPEG, PNG, WebP or GIF by content); returns the public URL
  // (/api/media/covers/...), or nothing when the bytes are not an image we serve.
  std::optional<std::string> store(std::string_view bytes);
  // cover.*, folder.*, front.*, album.* beside an audio file (JPEG/PNG/WebP), in that order.
  std::optional<std::string> find_folder_cover(const std::string& audio_path) const;

  // The file behind a /api/media/ path, when it names a stored cover; nothing for anything else.
  std::optional<std::string> resolve(std::string_view media_path) const;

  // A JPEG of a stored cover file (as given by resolve) fitting in size x size, made once and kept
  // beside the covers (scaled/<size>/...); the original when it is already that small; nothing when the
  // image cannot be scaled. Sizes are rounded up to a few steps so that the cache stays small.
  std::optional<std::string> scaled(const std::string& cover_file, int size) const;

 private:
  std::string root_;
};

// The image type of bytes by their signature: "jpg", "png", "webp", "gif", or empty.
std::string image_extension(std::string_view bytes);

}  // namespace st::library
