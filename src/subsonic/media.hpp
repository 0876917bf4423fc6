#pragma once
// Streaming shared by stream, getTranscodeStream and public shares.
#include <optional>
#include <string>

#include "audio/transcoder.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "model/catalog.hpp"
#include "subsonic/deps.hpp"

namespace st::subsonic {

// What to send for stream's format / maxBitRate (kbps, 0 = no limit) / timeOffset: nothing for the
// original, or a transcode (MP3 unless another format is asked for).
std::optional<audio::TranscodeSpec> stream_decision(const model::Track& t, const std::optional<std::string>& format,
                                                    std::int64_t max_bitrate, double offset);

// The local file of a track: its own path, or for a replicated (p2p://) track the verified copy fetched
// from peers (waiting no longer once the client has gone). Error 0 with a clear message when no peer can
// provide it.
std::string local_file(Deps& d, const http::Request& req, const model::Track& t);

// The original file (ranges) or the transcode (from the cache when complete, else while produced);
// estimate_length announces duration x bit rate as Content-Length and keeps to it.
http::Response stream_track(Deps& d, const http::Request& req, const model::Track& t,
                            const std::optional<audio::TranscodeSpec>& spec, bool estimate_length);

}  // namespace st::subsonic
