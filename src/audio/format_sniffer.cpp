#include "audio/format_sniffer.hpp"

#include <fstream>

namespace st::audio {

namespace {

bool at(std::string_view s, std::size_t off, std::string_view magic) {
  return s.size() >= off + magic.size() && s.substr(off, magic.size()) == magic;
}

// An MPEG audio frame header: sync, valid layer (III here: MP3), bitrate and sample-rate indexes.
bool mpeg_frame_at(std::string_view s, std::size_t i) {
  if (s.size() < i + 4) return false;
  auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
  if (static_cast<unsigned char>(s[i]) != 0xFF || (b1 & 0xE0) != 0xE0) return false;
  int version = (b1 >> 3) & 3, layer = (b1 >> 1) & 3, bitrate = b2 >> 4, rate = (b2 >> 2) & 3;
  return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3;
}

bool adts_at(std::string_view s, std::size_t i) {
  if (s.size() < i + 7) return false;
  auto b1 = static_cast<unsigned char>(s[i + 1]);
  return static_cast<unsigned char>(s[i]) == 0xFF && (b1 & 0xF6) == 0xF0;
}

}  // namespace

AudioFormat sniff_format(std::string_view s) {
  if (s.size() < 12) return AudioFormat::unknown;
  if (at(s, 0, "fLaC")) return AudioFormat::flac;
  if (at(s, 0, "OggS")) {
    // The first page carries the codec's identification header.
    if (s.find("OpusHead") != std::string_view::npos) return AudioFormat::opus;
    if (s.find("\x01vorbis") != std::string_view::npos) return AudioFormat::ogg_vorbis;
    if (s.find("fLaC") != std::string_view::npos) return AudioFormat::unknown;  // Ogg FLAC: not supported
    return AudioFormat::unknown;
  }
  if (at(s, 0, "RIFF") && at(s, 8, "WAVE")) return AudioFormat::wav;
  if (at(s, 0, "FORM") && (at(s, 8, "AIFF") || at(s, 8, "AIFC"))) return AudioFormat::aiff;
  if (at(s, 4, "ftyp")) {
    // Audio-only MP4 brands; video files are refused.
    for (auto brand : {"M4A ", "M4B ", "mp42", "isom", "dash", "M4P "})
      if (at(s, 8, brand)) return AudioFormat::m4a;
    return AudioFormat::unknown;
  }
  std::size_t start = 0;
  if (at(s, 0, "ID3") && s.size() >= 10) {
    // Skip the ID3v2 tag (syncsafe size) to find the first frame when we have enough bytes.
    std::size_t size = (static_cast<unsigned char>(s[6]) & 0x7F) << 21 | (static_cast<unsigned char>(s[7]) & 0x7F) << 14 |
                       (static_cast<unsigned char>(s[8]) & 0x7F) << 7 | (static_cast<unsigned char>(s[9]) & 0x7F);
    start = 10 + size;
    if (start >= s.size()) return AudioFormat::mp3;  // a huge tag (cover art): trust the ID3 header
  }
  for (std::size_t i = start; i + 4 < s.size() && i < start + 4096; ++i) {
    if (mpeg_frame_at(s, i)) return AudioFormat::mp3;
    if (adts_at(s, i)) return AudioFormat::aac_adts;
  }
  return AudioFormat::unknown;
}

AudioFormat sniff_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return AudioFormat::unknown;
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return sniff_format(head);
}

std::string_view format_name(AudioFormat f) {
  switch (f) {
    case AudioFormat::mp3: return "mp3";
    case AudioFormat::flac: return "flac";
    case AudioFormat::ogg_vorbis: return "ogg";
    case AudioFormat::opus: return "opus";
    case AudioFormat::m4a: return "aac";
    case AudioFormat::aac_adts: return "aac";
    case AudioFormat::wav: return "wav";
    case AudioFormat::aiff: return "aiff";
    case AudioFormat::unknown: break;
  }
  return "unknown";
}

std::string_view mime_for_format_name(std::string_view n) {
  if (n == "mp3") return "audio/mpeg";
  if (n == "flac") return "audio/flac";
  if (n == "ogg") return "audio/ogg";
  if (n == "opus") return "audio/ogg; codecs=opus";
  if (n == "aac") return "audio/mp4";
  if (n == "wav") return "audio/wav";
  if (n == "aiff") return "audio/aiff";
  return "application/octet-stream";
}

}  // namespace st::audio
