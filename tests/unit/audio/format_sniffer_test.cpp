#include <gtest/gtest.h>

#include "audio/format_sniffer.hpp"

using namespace st::audio;
using namespace std::string_literals;

namespace {
std::string pad(std::string s) {
  s.resize(std::max<std::size_t>(s.size(), 64), '\0');
  return s;
}
}  // namespace

TEST(Sniffer, RecognisesFormatsByContent) {
  EXPECT_EQ(sniff_format(pad("fLaC\0\0\0\x22")), AudioFormat::flac);
  EXPECT_EQ(sniff_format(pad(std::string("OggS\0\x02", 6) + std::string(22, '\0') + "\x01vorbis")), AudioFormat::ogg_vorbis);
  EXPECT_EQ(sniff_format(pad(std::string("OggS\0\x02", 6) + std::string(22, '\0') + "OpusHead")), AudioFormat::opus);
  EXPECT_EQ(sniff_format(pad("RIFF\x24\0\0\0WAVEfmt "s)), AudioFormat::wav);
  EXPECT_EQ(sniff_format(pad("FORM\0\0\0\0AIFFCOMM"s)), AudioFormat::aiff);
  EXPECT_EQ(sniff_format(pad(std::string("\0\0\0\x20", 4) + "ftypM4A \0\0\0\0")), AudioFormat::m4a);
  EXPECT_EQ(sniff_format(pad("\xFF\xFB\x90\x64")), AudioFormat::mp3);
  EXPECT_EQ(sniff_format(pad(std::string("ID3\x03\0\0\0\0\0\x02", 10) + "\0\0\xFF\xFB\x90\x64"s)), AudioFormat::mp3);
}

TEST(Sniffer, RefusesWhatIsNotAudio) {
  EXPECT_EQ(sniff_format("short"), AudioFormat::unknown);
  EXPECT_EQ(sniff_format(pad("this is not audio at all, just text")), AudioFormat::unknown);
  EXPECT_EQ(sniff_format(pad(std::string("\0\0\0\x20", 4) + "ftypqt  \0\0\0\0")), AudioFormat::unknown);
  EXPECT_EQ(sniff_format(pad("\x89PNG\r\n\x1a\n")), AudioFormat::unknown);
  EXPECT_EQ(sniff_format(pad("\xFF\xD8\xFF\xE0 JFIF")), AudioFormat::unknown);
}

TEST(Sniffer, NamesAndMimeTypes) {
  EXPECT_EQ(format_name(AudioFormat::m4a), "aac");
  EXPECT_EQ(mime_for_format_name("mp3"), "audio/mpeg");
  EXPECT_EQ(mime_for_format_name("flac"), "audio/flac");
  EXPECT_EQ(mime_for_format_name("bogus"), "application/octet-stream");
}
