#pragma once
// Installs, updates, enables and removes web themes. A theme comes from an HTTPS git repository or an
// uploaded archive; it is fetched into a staging folder, validated (manifest, file types, no symlinks,
// size and file count), assembled as <name>-<version>/{theme.css,assets/} and renamed into THEME_DIR, so a
// crash or a refusal never leaves a half-installed theme. Fetching is injected (git, archives, DNS).
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/theme.hpp"
#include "themes/tree_check.hpp"
#include "themes/url_guard.hpp"

namespace st::themes {

// Clones url into the (absent) folder dest, stopping past the limits. "" on success, else why not.
using GitClone = std::function<std::string(const std::string& url, const std::string& dest, const TreeLimits& limits)>;
// Extracts the archive into the (existing, empty) folder dest: folders and regular files only, every entry
// name accepted by name_ok, within the limits. "" on success, else why not.
using ArchiveExtract = std::function<std::string(const std::string& archive, const std::string& dest,
                                                 const TreeLimits& limits,
                                                 const std::function<bool(std::string_view)>& name_ok)>;

struct ThemeServiceOptions {
  std::string theme_dir;  // THEME_DIR
  TreeLimits limits;
  bool allow_private_hosts = false;  // THEME_ALLOW_PRIVATE_HOSTS: tests clone from 127.0.0.1
  GitClone clone;
  ArchiveExtract extract;
  Resolver resolve;
};

class ThemeService {
 public:
  ThemeService(model::ThemeRepository& repo, ThemeServiceOptions options);

  // At start-up: removes staging leftovers and theme folders no row points at (a crash mid-install).
  void sweep();

  std::uint64_t max_bytes() const { return opt_.limits.max_bytes; }
  std::vector<model::Theme> list() { return repo_.list(); }
  std::optional<model::Theme> active() { return repo_.active(); }

  // These throw model::DomainError: 400 for an unacceptable theme (the message says why), 404, 409 when
  // another install or update is running.
  model::Theme install_from_git(const std::string& url, const std::optional<std::string>& installed_by);
  model::Theme install_from_archive(const std::string& archive_path, const std::optional<std::string>& installed_by);
  model::Theme update(const std::string& id);
  void enable(const std::string& id);
  void disable(const std::string& id);
  void remove(const std::string& id);

  // The file of the active theme's asset rel: throws 404 (no theme, absent) or 403 (an unsafe path).
  std::string asset_file(std::string_view rel);

 private:
  struct Staged;
  Staged stage(const std::function<std::string(const std::string& src)>& fetch);
  model::Theme place(Staged& s, const std::string& git_url, const std::optional<std::string>& installed_by);
  model::Theme find_or_404(const std::string& id);
  std::string staging_root() const;

  model::ThemeRepository& repo_;
  ThemeServiceOptions opt_;
  std::mutex busy_;  // one install, update or removal at a time
};

}  // namespace st::themes
