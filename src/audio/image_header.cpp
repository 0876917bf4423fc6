#include "audio/image_header.hpp"

#include <fmt/format.h>

namespace st::audio {

namespace {

std::uint32_t u8(std::string_view b, std::size_t at) { return static_cast<unsigned char>(b[at]); }
std::uint32_t be16(std::string_view b, std::size_t at) { return u8(b, at) << 8 | u8(b, at + 1); }
std::uint32_t le16(std::string_view b, std::size_t at) { return u8(b, at) | u8(b, at + 1) << 8; }
std::uint32_t le24(std::string_view b, std::size_t at) { return le16(b, at) | u8(b, at + 2) << 16; }
std::uint32_t be32(std::string_view b, std::size_t at) { return be16(b, at) << 16 | be16(b, at + 2); }

std::optional<ImageSize> sized(std::uint32_t w, std::uint32_t h) {
  if (w == 0 || h == 0) return std::nullopt;
  return ImageSize{w, h};
}

std::optional<ImageSize> png(std::string_view b) {
  // Signature, then the IHDR chunk first: length 13, "IHDR", width, height (big-endian).
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return std::nullopt;
  std::uint32_t w = be32(b, 16), h = be32(b, 20);
  if (w > 0x7FFFFFFF || h > 0x7FFFFFFF) return std::nullopt;  // the PNG limit
  return sized(w, h);
}

std::optional<ImageSize> gif(std::string_view b) {
  // The logical screen: FFmpeg's GIF decoder draws every frame on a canvas of this size.
  if (b.size() < 10) return std::nullopt;
  return sized(le16(b, 6), le16(b, 8));
}

std::optional<ImageSize> webp(std::string_view b) {
  if (b.size() < 30) return std::nullopt;
  std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8X") return sized(le24(b, 24) + 1, le24(b, 27) + 1);  // the canvas
  if (chunk == "VP8L") {
    if (u8(b, 20) != 0x2F) return std::nullopt;
    std::uint32_t bits = u8(b, 21) | u8(b, 22) << 8 | u8(b, 23) << 16 | u8(b, 24) << 24;
    return sized((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (chunk == "VP8 ") {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
    if (u8(b, 23) != 0x9D || u8(b, 24) != 0x01 || u8(b, 25) != 0x2A) return std::nullopt;
    return sized(le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
  }
  return std::nullopt;
}

std::optional<ImageSize> jpeg(std::string_view b) {
  // Walk the marker segments up to the first start-of-frame (SOF0-SOF15 but DHT, JPG and DAC).
  std::size_t at = 2;
  while (at + 4 <= b.size()) {
    if (u8(b, at) != 0xFF) return std::nullopt;
    std::uint32_t marker = u8(b, at + 1);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end of image or scan before any frame
    std::uint32_t len = be16(b, at + 2);
    if (len < 2) return std::nullopt;
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (len < 7 || at + 9 > b.size()) return std::nullopt;
      return sized(be16(b, at + 7), be16(b, at + 5));  // precision, height, width
    }
    at += 2 + len;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImageSize> image_size(std::string_view b) {
  if (b.size() >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) return jpeg(b);
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return png(b);
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return webp(b);
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return gif(b);
  return std::nullopt;
}

std::string image_refusal(std::string_view bytes) {
  auto size = image_size(bytes);
  if (!size) return "the image's size cannot be read from its header";
  if (size->pixels() > kMaxImagePixels)
    return fmt::format("the image is {} x {} pixels (at most {} megapixels)", size->width, size->height,
                       kMaxImagePixels / 1'000'000);
  return "";
}

}  // namespace st::audio
