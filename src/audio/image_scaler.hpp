#pragma once
// Cover images at the size an app asks for (getCoverArt size=), decoded and scaled with FFmpeg.
#include <string>

namespace st::audio {

// Writes a JPEG of the image at `in` that fits in max_side x max_side (aspect kept; never enlarged)
// to `out`. Throws AudioError when the image cannot be decoded or encoded.
void scale_image(const std::string& in, const std::string& out, int max_side);

}  // namespace st::audio
