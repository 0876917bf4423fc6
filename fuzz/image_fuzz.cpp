// The image header reader: covers come from strangers (uploads, scanned folders, peers), and their
// header decides whether a decoder ever sees them. Any input must be read without a crash, and a size
// it reports must be the one the bytes declare, never zero.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audio/image_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto s = st::audio::image_size(in);
  if (s && (s->width == 0 || s->height == 0)) std::abort();
  auto why = st::audio::image_refusal(in);
  if (s && s->pixels() <= st::audio::kMaxImagePixels && !why.empty()) std::abort();
  if ((!s || s->pixels() > st::audio::kMaxImagePixels) && why.empty()) std::abort();
  return 0;
}
