#pragma once
// Decodes any supported audio file to interleaved float samples at a chosen rate and channel count.
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace st::audio {

class AudioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Decoder {
 public:
  // Throws AudioError when the file cannot be opened or has no decodable audio stream.
  Decoder(const std::string& path, int out_rate, int out_channels);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Starts decoding at `seconds` (the frame at or before it).
  void seek(double seconds);
  // Up to max_frames frames (each out_channels floats); 0 at the end. Throws AudioError on a decode
  // failure that cannot be skipped.
  std::size_t read(float* out, std::size_t max_frames);
  int source_channels() const;
  int source_rate() const;
  // Bits per sample of the source's PCM (16, 24, 32), 0 when it is not lossless PCM-like.
  int source_bits() const;
  // The container's tags (title, artist, ...), to carry over into a converted file.
  std::vector<std::pair<std::string, std::string>> tags() const;
  double duration_secs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace st::audio
