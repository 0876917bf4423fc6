#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "audio/decoder.hpp"
#include "audio/format_sniffer.hpp"
#include "support/temp_dir.hpp"

using namespace st::audio;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// A playlist header in front of MP3 frames passes the sniffer as MP3; FFmpeg's own probe would pick its
// HLS demuxer and follow the playlist's URLs. Opened as what the sniffer said, it is plain MP3.
TEST(Decoder, OpensWhatTheSnifferSawNeverAPlaylist) {
  st::test::TempDir dir("st-decoder-");
  auto mp3 = dir.path() / "tone.mp3";
  std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i sine=frequency=440:duration=1 -c:a libmp3lame "
                    "-write_xing 0 -id3v2_version 0 " + mp3.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ofstream(dir.path() / "segment.wav") << "not audio";
  std::string forged = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1,\nsegment.wav\n"
                       "#EXT-X-ENDLIST\n" + slurp(mp3);
  auto path = dir.path() / "forged.mp3";
  std::ofstream(path, std::ios::binary) << forged;
  ASSERT_EQ(sniff_file(path.string()), AudioFormat::mp3);

  Decoder d(path.string(), 44100, 2);
  float buf[4096 * 2];
  std::size_t frames = 0;
  for (std::size_t n; (n = d.read(buf, 4096)) > 0;) frames += n;
  EXPECT_GT(frames, 44100u / 2) << "the MP3 frames after the forged header are decoded";
}

TEST(Decoder, RefusesWhatTheSnifferDoesNotKnow) {
  st::test::TempDir dir("st-decoder-");
  auto path = dir.path() / "notes.txt";
  std::ofstream(path) << "just some words, long enough to be sniffed and refused by content";
  EXPECT_THROW(Decoder(path.string(), 44100, 2), AudioError);
}
