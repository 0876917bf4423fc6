#pragma once
// The number of tracks under a folder (a library's root, a Subsonic music folder), counted once per version
// of the tracks and of their paths (catalog_totals' 'tracks' and 'track_paths', bumped by triggers on every
// insert, delete and path change, by any node; migrations 0017 and 0032/0035) instead of on every request: a
// folder of a million tracks is a million entries of the path index.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "db/sql.hpp"

namespace st::db {

class FolderCounts {
 public:
  static constexpr std::size_t kKept = 64;  // folders remembered at once; past them, start again

  // Tracks whose file_path starts with `prefix` ("/music/" : the folder's own slash included).
  std::int64_t tracks_under(Connection& c, const std::string& prefix);

 private:
  struct Count {
    std::int64_t version = -1;
    std::int64_t tracks = 0;
  };
  std::mutex mu_;
  std::map<std::string, Count> counts_;
};

// Whether a page of a folder's rows is cheaper read as a set (the folder's k of the library's n tracks, read
// through the path index and sorted) than by walking an ordering's index and checking each row for the
// folder: about reach * n / k rows walked to find `reach` of the folder's (the page's end, from the start or
// from a sampled key), each costing `per_row` track reads (an album: ~10 tracks checked).
bool read_folder_as_set(std::int64_t k, std::int64_t n, std::int64_t reach, double per_row);

}  // namespace st::db
