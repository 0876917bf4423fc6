#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "audio/image_header.hpp"

using namespace st::audio;
using namespace std::string_literals;

namespace {

// An image of w x h made by the ffmpeg command line, in the container/codec given.
std::string made_by_ffmpeg(int w, int h, const std::string& ext, const std::string& codec) {
  auto path = std::filesystem::temp_directory_path() / ("st-image-header-" + std::to_string(::getpid()) + "." + ext);
  std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i color=c=teal:s=" + std::to_string(w) + "x" +
                    std::to_string(h) + " -frames:v 1 -c:v " + codec + " " + path.string();
  if (std::system(cmd.c_str()) != 0) return "";
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return bytes;
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string png_claiming(std::uint32_t w, std::uint32_t h) {
  return "\x89PNG\r\n\x1a\n"s + be32(13) + "IHDR" + be32(w) + be32(h) + "\x08\x02\0\0\0"s + be32(0);
}

}  // namespace

TEST(ImageHeader, ReadsTheSizeOfRealImages) {
  for (auto [ext, codec] : {std::pair{"jpg"s, "mjpeg"s}, {"png"s, "png"s}, {"webp"s, "libwebp"s}, {"gif"s, "gif"s}}) {
    auto bytes = made_by_ffmpeg(40, 24, ext, codec);
    if (bytes.empty() && ext == "webp") continue;  // an ffmpeg built without libwebp
    ASSERT_FALSE(bytes.empty()) << ext;
    auto size = image_size(bytes);
    ASSERT_TRUE(size) << ext;
    EXPECT_EQ(size->width, 40u) << ext;
    EXPECT_EQ(size->height, 24u) << ext;
    EXPECT_EQ(image_refusal(bytes), "") << ext;
  }
}

TEST(ImageHeader, RefusesBombsAndUnreadableHeaders) {
  EXPECT_EQ(image_size(png_claiming(16000, 16000))->pixels(), 256'000'000u);
  EXPECT_EQ(image_refusal(png_claiming(16000, 16000)), "the image is 16000 x 16000 pixels (at most 25 megapixels)");
  EXPECT_EQ(image_refusal(png_claiming(5000, 5000)), "");
  EXPECT_NE(image_refusal(png_claiming(5000, 5001)), "");
  EXPECT_FALSE(image_size(png_claiming(0, 10)));
  EXPECT_FALSE(image_size(png_claiming(0x80000000u, 1)));
  EXPECT_FALSE(image_size(png_claiming(10, 10).substr(0, 20)));  // truncated
  // GIF: the logical screen; WebP: each of its three frame headers.
  EXPECT_EQ(image_size("GIF89a\xff\xff\xff\xff"s)->pixels(), 65535ull * 65535);
  std::string vp8x = "RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\xff\xff\x00\xff\xff\x00"s + std::string(4, '\0');
  EXPECT_EQ(image_size(vp8x)->width, 65536u);
  std::string vp8l = "RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f\xff\xff\xff\x0f"s + std::string(8, '\0');
  EXPECT_EQ(image_size(vp8l)->width, 16384u);
  EXPECT_EQ(image_size(vp8l)->height, 16384u);
  std::string vp8 = "RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a\x40\x1f\x40\x1f"s;
  EXPECT_EQ(image_size(vp8)->width, 8000u);
  // JPEG: segments are walked to the frame header; a scan or the end before it is unreadable.
  std::string app = "\xff\xe0\x00\x04\x00\x00"s;
  std::string sof = "\xff\xc2\x00\x11\x08\x3e\x80\x3e\x80\x03"s;  // progressive, 16000 x 16000
  EXPECT_EQ(image_size("\xff\xd8"s + app + "\xff\xff" + sof)->pixels(), 256'000'000u);
  EXPECT_FALSE(image_size("\xff\xd8"s + app + "\xff\xda\x00\x02"));
  EXPECT_FALSE(image_size("\xff\xd8"s + "\xff\xe0\x00\x01" + sof));  // a length below 2
  EXPECT_FALSE(image_size("\xff\xd8\xff"s));
  EXPECT_FALSE(image_size("BM not an image we take"));
}
