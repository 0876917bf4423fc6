#pragma once
// Where uploaded audio lives: <AUDIO_STORAGE_PATH>/<user id>/<safe file name>, never overwriting.
#include <functional>
#include <string>
#include <string_view>

namespace st::library {

// A file name safe on every filesystem: no path separators, control characters or reserved
// characters, no leading dot, at most 150 bytes, and never empty.
std::string safe_file_name(std::string_view client_name);

// A kept file is journalled (an intent file naming it, under journal_dir) until its track row is committed
// (settled): after a crash between the two, sweep() at the next start removes the file, so the storage never
// holds an upload that no row refers to (the storage scan would import it again as a duplicate).
class UploadStore {
 public:
  UploadStore(std::string root, std::string journal_dir);
  // Moves a received file into the user's folder under a unique name; returns the final path.
  // Throws std::runtime_error when the file cannot be stored.
  std::string keep(const std::string& received_path, std::string_view client_name, std::string_view user_id);

  // AIFF uploads become FLAC (lossless, tags kept; browsers do not play AIFF): returns the path of the
  // file to import, the original when nothing needed converting. The result is journalled as keep's is.
  // Throws std::runtime_error.
  std::string playable(const std::string& stored_path);

  // The row for `path` is committed, or the file was removed: it no longer needs the journal.
  void settled(const std::string& path);

  // At start, before anything scans the storage: every journalled file without a row (has_row false) is
  // removed, then the journal is emptied. Returns the number of files removed.
  std::size_t sweep(const std::function<bool(const std::string&)>& has_row);

 private:
  void journal(const std::string& path);

  std::string root_;
  std::string journal_dir_;
};

}  // namespace st::library
