#include "db/folder_counts.hpp"

#include <algorithm>

#include "db/catalog_totals.hpp"
#include "db/path_under.hpp"

namespace st::db {

std::int64_t FolderCounts::tracks_under(Connection& c, const std::string& prefix) {
  auto version = track_paths_version(c).version;
  {
    std::lock_guard lock(mu_);
    if (auto it = counts_.find(prefix); it != counts_.end() && it->second.version == version) return it->second.tracks;
  }
  // Counted outside the lock (concurrent requests may count the same folder twice; none waits on another).
  std::vector<Value> params;
  auto under = path_under(c.dialect(), "file_path", prefix, params);
  auto n = c.query("SELECT COUNT(*) FROM tracks WHERE " + under, params).rows.at(0).integer(0);
  std::lock_guard lock(mu_);
  if (counts_.size() >= kKept && !counts_.count(prefix)) counts_.clear();
  counts_[prefix] = {version, n};
  return n;
}

bool read_folder_as_set(std::int64_t k, std::int64_t n, std::int64_t reach, double per_row) {
  auto kk = static_cast<double>(k);
  return kk * kk <= per_row * static_cast<double>(std::max<std::int64_t>(reach, 1)) * static_cast<double>(n);
}

}  // namespace st::db
