#include "lib/archive/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

namespace st::lib::archive {

namespace {

struct ReadFree {
  void operator()(struct archive* a) const noexcept { archive_read_free(a); }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string clean_name(std::string_view p) {
  while (p.starts_with("./")) p.remove_prefix(2);
  if (p.ends_with('/')) p.remove_suffix(1);
  return std::string(p);
}

}  // namespace

std::string extract(const std::string& path, const std::string& dest, const ExtractLimits& limits,
                    const std::function<bool(std::string_view)>& name_ok) {
  namespace fs = std::filesystem;
  std::unique_ptr<struct archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK)
    return "not a readable archive (.tar.gz, .tar.xz, .tar or .zip)";
  std::uint64_t entries = 0, bytes = 0;
  char buf[64 * 1024];
  while (true) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return "not a readable archive (.tar.gz, .tar.xz, .tar or .zip)";
    if (++entries > limits.max_entries)
      return "the archive has more than " + std::to_string(limits.max_entries) + " entries";
    const char* raw = archive_entry_pathname_utf8(e);
    if (!raw) raw = archive_entry_pathname(e);
    std::string name = raw ? clean_name(raw) : "";
    if (name.empty()) continue;  // "./" itself
    if (!name_ok(name)) return std::string("entry name not allowed: ") + (raw ? raw : "");
    if (archive_entry_hardlink(e)) return name + ": links are not allowed";
    auto type = archive_entry_filetype(e);
    auto target = fs::path(dest) / name;
    std::error_code ec;
    if (type == AE_IFLNK) return name + ": symlinks are not allowed";
    if (type == AE_IFDIR) {
      fs::create_directories(target, ec);
      if (ec) return name + ": cannot create this folder";
      continue;
    }
    if (type != AE_IFREG) return name + ": only folders and regular files are allowed";
    fs::create_directories(target.parent_path(), ec);
    if (ec) return name + ": cannot create its folder";
    // O_EXCL: a duplicate entry cannot overwrite; O_NOFOLLOW: nothing here is a link anyway (none are created).
    Fd out{::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)};
    if (out.fd < 0) return name + (errno == EEXIST ? ": duplicate entry" : ": cannot be written");
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) return name + ": corrupt data";
      bytes += static_cast<std::uint64_t>(n);
      if (bytes > limits.max_bytes)
        return "the archive is larger than " + std::to_string(limits.max_bytes / (1024 * 1024)) + " MB when extracted";
      for (la_ssize_t off = 0; off < n;) {
        auto w = ::write(out.fd, buf + off, static_cast<std::size_t>(n - off));
        if (w < 0) {
          if (errno == EINTR) continue;
          return name + ": cannot be written";
        }
        off += w;
      }
    }
  }
  return "";
}

}  // namespace st::lib::archive
