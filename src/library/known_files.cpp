#include "library/known_files.hpp"

#include <algorithm>

namespace st::library {

void KnownFiles::add(std::string_view path, std::int64_t size, std::int64_t mtime) {
  if (path.substr(0, prefix_.size()) != prefix_) return;
  path.remove_prefix(prefix_.size());
  Entry e;
  e.offset = text_.size();
  e.length = static_cast<std::uint32_t>(path.size());
  e.size = size;
  e.mtime = mtime;
  text_.append(path);
  entries_.push_back(e);
}

void KnownFiles::sort() {
  // Byte order here whatever order the database gave (PostgreSQL sorts text by its collation).
  std::sort(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) { return name(a) < name(b); });
  entries_.shrink_to_fit();
  text_.shrink_to_fit();
}

KnownFiles::Entry* KnownFiles::find(std::string_view path) {
  if (path.substr(0, prefix_.size()) != prefix_) return nullptr;
  path.remove_prefix(prefix_.size());
  auto it = std::lower_bound(entries_.begin(), entries_.end(), path,
                             [this](const Entry& e, std::string_view p) { return name(e) < p; });
  if (it == entries_.end() || name(*it) != path) return nullptr;
  return &*it;
}

}  // namespace st::library
