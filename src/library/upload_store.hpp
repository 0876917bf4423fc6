#pragma once
// Where uploaded audio lives: <AUDIO_STORAGE_PATH>/<user id>/<safe file name>, never overwriting.
#include <string>
#include <string_view>

namespace st::library {

// A file name safe on every filesystem: no path separators, control characters or reserved
// characters, no leading dot, at most 150 bytes, and never empty.
std::string safe_file_name(std::string_view client_name);

class UploadStore {
 public:
  explicit UploadStore(std::string root) : root_(std::move(root)) {}
  // Moves a received file into the user's folder under a unique name; returns the final path.
  // Throws std::runtime_error when the file cannot be stored.
  std::string keep(const std::string& received_path, std::string_view client_name, std::string_view user_id);

  // AIFF uploads become FLAC (lossless, tags kept; browsers do not play AIFF): returns the path of the
  // file to import, the original when nothing needed converting. Throws std::runtime_error.
  static std::string playable(const std::string& stored_path);

 private:
  std::string root_;
};

}  // namespace st::library
