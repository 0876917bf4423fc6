#include "library/tree_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "library/cover_store.hpp"

namespace st::library {

namespace {

enum class Kind { file, folder, other };

// readdir's d_type, from lstat when the file system does not give it (most do: no stat per file).
unsigned char type_of(const std::string& path, unsigned char type) {
  if (type != DT_UNKNOWN) return type;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return DT_UNKNOWN;
  return S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
}

// What an entry is; `st` is a file's status when it could be had (`stat_ok`).
Kind kind_of(const std::string& path, int folder, const std::string& name, unsigned char type, const std::string& root,
             WalkResult& result, struct stat& st, bool& stat_ok) {
  stat_ok = false;
  if (type == DT_REG) {
    stat_ok = ::fstatat(folder, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    return Kind::file;
  }
  if (type == DT_DIR) return Kind::folder;
  if (type != DT_LNK) return Kind::other;
  // A link: only to a regular file, and only one inside the root (a link to /etc or to another user's
  // home must not put that file in the catalogue). Linked folders are never followed.
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return Kind::other;
  stat_ok = true;
  if (!resolves_within(path, root)) {
    ++result.outside_root;
    return Kind::other;
  }
  return Kind::file;
}

}  // namespace

WalkResult walk_tree(const std::string& root, const std::function<bool(const std::string&)>& skip,
                     const std::function<bool(const std::string&, const struct stat*)>& on_file) {
  WalkResult result;
  // Folders still to read, the next one last; only names, so memory follows the tree's width, not its size.
  std::vector<std::string> pending{root};
  bool first = true;
  while (!pending.empty()) {
    std::string dir = std::move(pending.back());
    pending.pop_back();
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
      if (first) result.error = std::strerror(errno);
      first = false;
      continue;
    }
    first = false;
    struct Closer {
      DIR* d;
      ~Closer() { ::closedir(d); }
    } closer{d};  // open while its files are looked at
    if (dir.back() != '/') dir += '/';
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0))) continue;
      entries.emplace_back(e->d_name, e->d_type);
    }
    int folder = ::dirfd(d);
    std::sort(entries.begin(), entries.end());
    std::size_t folders_at = pending.size();
    for (auto& [name, type] : entries) {
      std::string path = dir + name;
      unsigned char t = type_of(path, type);
      if ((t == DT_REG || t == DT_LNK) && skip(path)) continue;
      struct stat st {};
      bool stat_ok = false;
      switch (kind_of(path, folder, name, t, root, result, st, stat_ok)) {
        case Kind::file:
          if (!on_file(path, stat_ok ? &st : nullptr)) return result;
          break;
        case Kind::folder: pending.push_back(std::move(path)); break;
        case Kind::other: break;
      }
    }
    // Sub-folders in name order: the first one must come off the stack first.
    std::reverse(pending.begin() + static_cast<std::ptrdiff_t>(folders_at), pending.end());
  }
  return result;
}

}  // namespace st::library
