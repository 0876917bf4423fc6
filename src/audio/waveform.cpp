#include "audio/waveform.hpp"

#include <algorithm>
#include <cmath>

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
  constexpr int kRate = 8000;  // peaks need no more, and resampling down is cheap
  constexpr std::size_t kFine = 1000, kCoarse = 200;
  Decoder dec(path, kRate, 1);
  double duration = duration_secs > 0 ? duration_secs : dec.duration_secs();
  double total = std::max(1.0, duration * kRate);
  std::vector<float> fine(kFine, 0.0f);
  std::vector<float> buf(4096);
  std::size_t pos = 0;
  for (std::size_t n; (n = dec.read(buf.data(), buf.size())) > 0;) {
    for (std::size_t i = 0; i < n; ++i, ++pos) {
      auto slot = std::min(kFine - 1, static_cast<std::size_t>(static_cast<double>(pos) / total * kFine));
      fine[slot] = std::max(fine[slot], std::fabs(buf[i]));
    }
  }
  Waveform w;
  w.fine_peaks = normalised(fine);
  w.peaks.assign(kCoarse, 0.0f);
  for (std::size_t i = 0; i < kFine; ++i) w.peaks[i * kCoarse / kFine] = std::max(w.peaks[i * kCoarse / kFine], w.fine_peaks[i]);
  return w;
}

}  // namespace st::audio
