#pragma once
// `soundtime storage migrate --to s3|local`: moves the uploaded library (tracks kept under
// AUDIO_STORAGE_PATH, or in the S3 store as s3://<key>) to the other side, one track at a time: the copy is
// written and checked (its size) before the track's row names it, and the old copy is removed only then.
// Stopped at any point, running it again carries on; nothing is ever without a complete copy. Tracks
// scanned in place from MUSIC_FOLDERS are not moved.
#include <string>

#include "app/config.hpp"

namespace st::app {

// Returns the exit status: 0 when every track moved, 1 when some failed (each said), 2 for a usage error.
int storage_migrate(const Config& c, const std::string& to);

}  // namespace st::app
