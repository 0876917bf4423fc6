#include "audio/waveform.hpp"

#include <algorithm>
#include <cmath>

#include <ebur128.h>

#include "audio/decoder.hpp"

namespace st::audio {

namespace {

std::vector<float> normalised(std::vector<float> v) {
  float top = *std::max_element(v.begin(), v.end());
  if (top > 0)
    for (auto& x : v) x = std::round(x / top * 1000.0f) / 1000.0f;
  return v;
}

}  // namespace

Waveform compute_waveform(const std::string& path, double duration_secs) {
  constexpr int kRate = 48000;  // loudness needs the audible band; peaks do not mind
  constexpr std::size_t kFine = 1000, kCoarse = 200;
  int channels = 2;
  {
    Decoder probe(path, kRate, 2);
    channels = std::clamp(probe.source_channels(), 1, 2);
  }
  Decoder dec(path, kRate, channels);
  double duration = duration_secs > 0 ? duration_secs : dec.duration_secs();
  double total = std::max(1.0, duration * kRate);
  std::vector<float> fine(kFine, 0.0f);
  std::vector<float> buf(4096 * static_cast<std::size_t>(channels));
  std::size_t pos = 0;
  float sample_peak = 0;
  ebur128_state* meter = ebur128_init(static_cast<unsigned>(channels), kRate, EBUR128_MODE_I);
  for (std::size_t n; (n = dec.read(buf.data(), 4096)) > 0;) {
    if (meter) ebur128_add_frames_float(meter, buf.data(), n);
    for (std::size_t i = 0; i < n; ++i, ++pos) {
      float v = 0;
      for (int c = 0; c < channels; ++c) v = std::max(v, std::fabs(buf[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)]));
      sample_peak = std::max(sample_peak, v);
      auto slot = std::min(kFine - 1, static_cast<std::size_t>(static_cast<double>(pos) / total * kFine));
      fine[slot] = std::max(fine[slot], v);
    }
  }
  Waveform w;
  if (meter) {
    double lufs = 0;
    if (ebur128_loudness_global(meter, &lufs) == EBUR128_SUCCESS && std::isfinite(lufs)) {
      w.replaygain_db = std::round((-18.0 - lufs) * 100.0) / 100.0;
      w.peak = std::round(static_cast<double>(sample_peak) * 1e6) / 1e6;
    }
    ebur128_destroy(&meter);
  }
  w.fine_peaks = normalised(fine);
  w.peaks.assign(kCoarse, 0.0f);
  for (std::size_t i = 0; i < kFine; ++i) w.peaks[i * kCoarse / kFine] = std::max(w.peaks[i * kCoarse / kFine], w.fine_peaks[i]);
  return w;
}

}  // namespace st::audio
