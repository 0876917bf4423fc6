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
//
// The bytes first go under a hidden staging name in the user's folder (the scan skips dot files), which the
// intent names before they arrive; the intent then names the final path and the staging file's inode before
// the final name is claimed with link(2), which fails rather than replace a file. A crash at any point
// leaves an intent from which sweep() finds exactly what this upload made: the staging file, and the final
// file only while it is still that inode (never a file that held the name already).
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

  // Tests only: called after each step of keep() and playable() that a crash could follow, with the
  // step's name ("journalled", "staged", "claiming", "claimed", "unstaged", "settled-name").
  std::function<void(std::string_view step)> after_step;

 private:
  // Gives the bytes staged under `staging` (named by the intent file `intent`) a free name made from
  // `name` in `dir`; returns the final path, whose intent settled() finds.
  std::string claim(const std::string& intent, const std::string& staging, const std::string& dir,
                    const std::string& name);
  std::string new_intent(const std::string& staging);
  void step(std::string_view name) const;

  std::string root_;
  std::string journal_dir_;
};

}  // namespace st::library
