#pragma once
// A folder's entries as folder browsing shows them (Subsonic getIndexes, getMusicDirectory), read without
// walking every file under the folder: a library root holds a million files in ten thousand artist folders.
// The path index is read by skipping: from each entry found, the next search starts past it (past the whole
// sub-folder when the entry is one), so a folder costs one index seek per sub-folder and per file directly in
// it, whatever lies deeper.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// The folder as a path prefix: with its trailing '/'.
inline std::string folder_prefix(std::string_view folder) {
  std::string prefix(folder);
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  return prefix;
}

// WITH RECURSIVE step(p) AS (...): p runs through the first path of each sub-folder of `prefix` (which ends in
// '/') and each file directly in it, in byte order, one row each (then a last NULL row: filter p IS NOT NULL).
// Its parameters are appended to params.
std::string folder_steps(Dialect d, const std::string& prefix, std::vector<Value>& params);

// Each folder's entries, kept until the tracks or their paths change (catalog_totals 'tracks' and
// 'track_paths', migrations 0017, 0032/0035, 0033/0037): getIndexes of a library of ten thousand artist
// folders is ten thousand index seeks the first time, none after.
class FolderListings {
 public:
  static constexpr std::size_t kKept = 64;  // folders remembered at once; past them, start again

  std::shared_ptr<const model::FolderEntries> entries(Connection& c, const std::string& prefix);
  void clear();  // a quiet server's memory (db/idle_memory.hpp); the next request reads again

 private:
  struct Kept {
    std::int64_t version = -1;
    std::shared_ptr<const model::FolderEntries> entries;
  };
  std::mutex mu_;
  std::map<std::string, Kept> kept_;
};

}  // namespace st::db
