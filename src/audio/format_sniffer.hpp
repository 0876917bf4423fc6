#pragma once
// Audio formats recognised by their bytes, never by the file name.
#include <cstddef>
#include <string>
#include <string_view>

namespace st::audio {

enum class AudioFormat { unknown, mp3, flac, ogg_vorbis, opus, m4a, wav, aiff, aac_adts };

// Looks at the first bytes of a file (64 KiB is plenty; 12 is the minimum).
AudioFormat sniff_format(std::string_view head);
AudioFormat sniff_file(const std::string& path);

// The API's `format` string (the original's names: mp3, flac, ogg, opus, aac, wav, aiff).
std::string_view format_name(AudioFormat f);
// The mime type for a stored `format` string.
std::string_view mime_for_format_name(std::string_view name);

}  // namespace st::audio
