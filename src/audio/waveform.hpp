#pragma once
// Waveform peaks: for each of N equal slices of the track, the largest absolute sample (mono mix),
// normalised so the loudest slice is 1.0 (the original's 200-peak overview, plus finer levels).
#include <optional>
#include <string>
#include <vector>

namespace st::audio {

struct Waveform {
  std::vector<float> peaks;       // 200 values
  std::vector<float> fine_peaks;  // 1000 values, for zoomed views
  // Measured in the same pass (EBU R128 with libebur128): ReplayGain 2.0 track gain (-18 LUFS
  // reference) and sample peak; nothing when the audio is too short to measure.
  std::optional<double> replaygain_db;
  std::optional<double> peak;
};

// Decodes the whole file. Throws AudioError when it cannot be decoded.
Waveform compute_waveform(const std::string& path, double duration_secs);

}  // namespace st::audio
