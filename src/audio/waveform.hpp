#pragma once
// Waveform peaks: for each of N equal slices of the track, the largest absolute sample (mono mix),
// normalised so the loudest slice is 1.0 (the original's 200-peak overview, plus finer levels).
#include <string>
#include <vector>

namespace st::audio {

struct Waveform {
  std::vector<float> peaks;       // 200 values
  std::vector<float> fine_peaks;  // 1000 values, for zoomed views
};

// Decodes the whole file. Throws AudioError when it cannot be decoded.
Waveform compute_waveform(const std::string& path, double duration_secs);

}  // namespace st::audio
