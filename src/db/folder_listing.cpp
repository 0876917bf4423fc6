#include "db/folder_listing.hpp"

#include "db/catalog_totals.hpp"

namespace st::db {

std::string folder_steps(Dialect d, const std::string& prefix, std::vector<Value>& params) {
  // The prefix ends in '/': its folder's paths are those from the prefix up to the prefix with '/' made '0'
  // (the next byte). On PostgreSQL in byte order ("C"), which migration 0034's path index has.
  auto upper = prefix;
  upper.back() = '0';
  bool pg = d == Dialect::postgres;
  std::string col = pg ? "file_path COLLATE \"C\"" : "file_path";
  std::string first_after = "(SELECT file_path FROM tracks WHERE " + col + " >= ";
  std::string bounded = " AND " + col + " < ? ORDER BY " + col + " LIMIT 1)";
  // Past an entry: past every path of its sub-folder (its name then '0', the byte after '/'), or just past
  // a file (its path then the byte 1: no path holds a NUL). Lengths in characters, as substr counts them.
  std::string rest = "substr(s.p, length(CAST(? AS TEXT)) + 1)";
  std::string slash = pg ? "strpos(" + rest + ", '/')" : "instr(" + rest + ", '/')";
  std::string past = "CASE WHEN " + slash + " > 0 THEN substr(s.p, 1, length(CAST(? AS TEXT)) + " + slash +
                     " - 1) || '0' ELSE s.p || " + (pg ? "chr(1)" : "char(1)") + " END";
  params.push_back(prefix);
  params.push_back(upper);
  params.push_back(prefix);  // slash's rest (in the WHEN)
  params.push_back(prefix);  // substr's length
  params.push_back(prefix);  // slash's rest (in the THEN)
  params.push_back(upper);
  return "WITH RECURSIVE step(p) AS (SELECT " + first_after + "?" + bounded + " UNION ALL SELECT " + first_after +
         "(" + past + ")" + bounded + " FROM step s WHERE s.p IS NOT NULL) ";
}

std::shared_ptr<const model::FolderEntries> FolderListings::entries(Connection& c, const std::string& prefix) {
  auto [version, changed_at] = track_paths_version(c);
  {
    std::lock_guard lock(mu_);
    if (auto it = kept_.find(prefix); it != kept_.end() && it->second.version == version) return it->second.entries;
  }
  // Read outside the lock (concurrent requests may read the same folder twice; none waits on another).
  auto out = std::make_shared<model::FolderEntries>();
  out->changed_at = changed_at;
  std::vector<Value> params;
  auto sql = folder_steps(c.dialect(), prefix, params) + "SELECT p FROM step WHERE p IS NOT NULL";
  for (const auto& r : c.query(sql, params).rows) {
    auto path = r.text(0);
    if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) continue;
    auto slash = path.find('/', prefix.size());
    if (slash == std::string::npos) ++out->files;
    else out->folders.push_back(path.substr(prefix.size(), slash - prefix.size()));  // in path order, once each
  }
  std::lock_guard lock(mu_);
  if (kept_.size() >= kKept && !kept_.count(prefix)) kept_.clear();
  kept_[prefix] = {version, out};
  return out;
}

void FolderListings::clear() {
  std::map<std::string, Kept> gone;
  std::lock_guard lock(mu_);
  gone.swap(kept_);
}

}  // namespace st::db
