#pragma once
// Image dimensions read from the first bytes of a file, without decoding it: a cover is refused before
// any decoder allocates its pixels (a 750 KB PNG may claim 16000 x 16000 pixels, ~1 GB once decoded).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::audio {

struct ImageSize {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint64_t pixels() const { return std::uint64_t{width} * height; }
};

// Covers above this many pixels are refused everywhere (upload, scan, peers, before any scaling):
// 25 MP is 5000 x 5000, far beyond any real cover scan, and decodes in ~100 MB.
inline constexpr std::uint64_t kMaxImagePixels = 25'000'000;

// The size a JPEG, PNG, WebP or GIF declares in its header; nothing when the header is missing,
// truncated, malformed or declares a zero side.
std::optional<ImageSize> image_size(std::string_view bytes);

// Why bytes are not a cover we accept ("" when they are): unknown size or over kMaxImagePixels.
std::string image_refusal(std::string_view bytes);

}  // namespace st::audio
