#pragma once
// Transcodes a file to Opus in Ogg or to MP3 in process (FFmpeg libraries), producing the output as a
// byte stream: read() encodes just enough to fill the caller's buffer, so streaming starts at once.
#include <cstddef>
#include <memory>
#include <string>

namespace st::audio {

// flac is lossless (same rate, channels and bit depth; tags kept): for converting AIFF uploads.
enum class Codec { opus, mp3, flac };

struct TranscodeSpec {
  Codec codec = Codec::opus;
  int bitrate_kbps = 128;
  double offset_secs = 0;  // start here (seeking in the source)
};

std::string_view codec_mime(Codec c);
std::string_view codec_extension(Codec c);

class Transcoder {
 public:
  // Throws AudioError when the source cannot be decoded or the encoder is unavailable.
  Transcoder(const std::string& path, const TranscodeSpec& spec);
  ~Transcoder();
  Transcoder(const Transcoder&) = delete;
  Transcoder(const std::string& path, const TranscodeSpec& spec, const std::string* out_path);
  Transcoder& operator=(const Transcoder&) = delete;

  // Up to n bytes of the encoded stream; 0 once it is complete. Throws AudioError on failure.
  std::size_t read(char* buf, std::size_t n);

  // Converts a whole file into out_path (a seekable file, so headers such as FLAC's STREAMINFO are
  // complete). Throws AudioError; out_path may be partly written then.
  static void convert_file(const std::string& path, const TranscodeSpec& spec, const std::string& out_path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace st::audio
