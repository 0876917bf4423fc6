#include "themes/theme_service.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "model/errors.hpp"
#include "themes/manifest.hpp"
#include "themes/path_rules.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::themes {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStaging = ".staging";

std::string read_manifest_file(const fs::path& p) {
  std::error_code ec;
  auto st = fs::symlink_status(p, ec);
  if (ec || !fs::is_regular_file(st)) model::throw_bad_request("theme.toml not found at the root of the theme");
  if (fs::file_size(p, ec) > kMaxManifestBytes)
    model::throw_bad_request(fmt::format("theme.toml is larger than {} bytes", kMaxManifestBytes));
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Archives often hold one top folder ("mytheme-1.0/..."): the theme is then that folder.
fs::path theme_root(const fs::path& src) {
  std::error_code ec;
  if (fs::exists(src / "theme.toml", ec)) return src;
  fs::path only;
  int n = 0;
  for (auto it = fs::directory_iterator(src, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    ++n;
    only = it->path();
  }
  if (n == 1 && fs::is_directory(fs::symlink_status(only, ec))) return only;
  return src;
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
    auto target = to / fs::relative(it->path(), from);
    auto st = it->symlink_status();
    if (fs::is_directory(st)) fs::create_directory(target);
    else if (fs::is_regular_file(st)) fs::copy_file(it->path(), target);
    else throw std::runtime_error("unexpected entry in a validated theme");  // check_tree refused these
  }
}

}  // namespace

struct ThemeService::Staged {
  fs::path dir;  // the staging folder, removed with this
  Manifest manifest;
  fs::path built;  // <dir>/out: theme.css and assets/
  Staged() = default;
  Staged(Staged&& o) noexcept : dir(std::move(o.dir)), manifest(std::move(o.manifest)), built(std::move(o.built)) {
    o.dir.clear();
  }
  ~Staged() {
    if (dir.empty()) return;
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

ThemeService::ThemeService(model::ThemeRepository& repo, ThemeServiceOptions options)
    : repo_(repo), opt_(std::move(options)) {}

std::string ThemeService::staging_root() const { return (fs::path(opt_.theme_dir) / kStaging).string(); }

void ThemeService::sweep() {
  std::error_code ec;
  fs::create_directories(opt_.theme_dir, ec);
  fs::remove_all(staging_root(), ec);
  std::set<fs::path> kept;
  for (const auto& t : repo_.list()) kept.insert(fs::path(t.css_path).parent_path().lexically_normal());
  for (auto it = fs::directory_iterator(opt_.theme_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (!kept.contains(it->path().lexically_normal())) fs::remove_all(it->path(), ec);
}

ThemeService::Staged ThemeService::stage(const std::function<std::string(const std::string& src)>& fetch) {
  Staged s;
  s.dir = fs::path(staging_root()) / util::new_uuid();
  fs::create_directories(s.dir);
  auto src = s.dir / "src";
  if (auto err = fetch(src.string()); !err.empty()) model::throw_bad_request(err);
  auto root = theme_root(src);
  auto parsed = parse_manifest(read_manifest_file(root / "theme.toml"));
  if (!parsed.manifest) model::throw_bad_request(parsed.error);
  if (auto err = check_tree(root.string(), opt_.limits); !err.empty()) model::throw_bad_request(err);
  s.manifest = std::move(*parsed.manifest);
  std::error_code ec;
  auto css = root / s.manifest.css;
  if (!fs::is_regular_file(fs::symlink_status(css, ec)))
    model::throw_bad_request(fmt::format("[assets] css: {} not found in the theme", s.manifest.css));
  s.built = s.dir / "out";
  fs::create_directories(s.built);
  fs::copy_file(css, s.built / "theme.css");
  if (s.manifest.assets_dir) {
    auto assets = root / *s.manifest.assets_dir;
    if (!fs::is_directory(fs::symlink_status(assets, ec)))
      model::throw_bad_request(fmt::format("[assets] assets_dir: {} is not a folder of the theme", *s.manifest.assets_dir));
    copy_tree(assets, s.built / "assets");
  }
  return s;
}

model::Theme ThemeService::install_from_git(const std::string& url, const std::optional<std::string>& installed_by) {
  if (auto err = check_git_url(url, opt_.resolve, opt_.allow_private_hosts); !err.empty()) model::throw_bad_request(err);
  std::unique_lock lock(busy_, std::try_to_lock);
  if (!lock) model::throw_conflict("Another theme installation is in progress");
  auto s = stage([&](const std::string& src) {
    auto err = opt_.clone(url, src, opt_.limits);
    return err.empty() ? err : "git clone failed: " + err;
  });
  return place(s, url, installed_by);
}

model::Theme ThemeService::install_from_archive(const std::string& archive_path,
                                                const std::optional<std::string>& installed_by) {
  std::unique_lock lock(busy_, std::try_to_lock);
  if (!lock) model::throw_conflict("Another theme installation is in progress");
  auto s = stage([&](const std::string& src) {
    fs::create_directories(src);
    auto err = opt_.extract(archive_path, src, opt_.limits,
                            [](std::string_view name) { return safe_relative_path(name); });
    return err.empty() ? err : "archive refused: " + err;
  });
  return place(s, "", installed_by);
}

model::Theme ThemeService::place(Staged& s, const std::string& git_url, const std::optional<std::string>& installed_by) {
  if (repo_.find_by_name(s.manifest.name))
    model::throw_bad_request(fmt::format("A theme named {} is already installed", s.manifest.name));
  auto final_dir = fs::path(opt_.theme_dir) / (s.manifest.name + "-" + s.manifest.version);
  std::error_code ec;
  fs::remove_all(final_dir, ec);  // left by a crash before its row was written
  fs::rename(s.built, final_dir);
  model::Theme t;
  t.id = util::new_uuid();
  t.name = s.manifest.name;
  t.version = s.manifest.version;
  t.description = s.manifest.description;
  t.author = s.manifest.author;
  t.license = s.manifest.license;
  t.homepage = s.manifest.homepage;
  t.git_url = git_url;
  t.css_path = (final_dir / "theme.css").string();
  if (s.manifest.assets_dir) t.assets_path = (final_dir / "assets").string();
  t.status = "disabled";
  t.installed_at = t.updated_at = util::now_micros();
  t.installed_by = installed_by;
  bool inserted = false;
  try {
    inserted = repo_.insert(t);
  } catch (...) {
    fs::remove_all(final_dir, ec);
    throw;
  }
  if (!inserted) {
    fs::remove_all(final_dir, ec);
    model::throw_bad_request(fmt::format("A theme named {} is already installed", t.name));
  }
  return t;
}

model::Theme ThemeService::find_or_404(const std::string& id) {
  auto t = repo_.find(id);
  if (!t) model::throw_not_found("Theme not found");
  return *t;
}

model::Theme ThemeService::update(const std::string& id) {
  auto t = find_or_404(id);
  if (t.git_url.empty())
    model::throw_bad_request("This theme was installed from an archive: delete it and upload the new version");
  if (auto err = check_git_url(t.git_url, opt_.resolve, opt_.allow_private_hosts); !err.empty())
    model::throw_bad_request(err);
  std::unique_lock lock(busy_, std::try_to_lock);
  if (!lock) model::throw_conflict("Another theme installation is in progress");
  auto s = stage([&](const std::string& src) {
    auto err = opt_.clone(t.git_url, src, opt_.limits);
    return err.empty() ? err : "git clone failed: " + err;
  });
  if (s.manifest.name != t.name)
    model::throw_bad_request(fmt::format("The repository now holds theme {}, not {}", s.manifest.name, t.name));
  auto old_dir = fs::path(t.css_path).parent_path();
  auto final_dir = fs::path(opt_.theme_dir) / (s.manifest.name + "-" + s.manifest.version);
  std::error_code ec;
  // The old folder moves aside first (into staging, removed with it), so that a same-version update can take
  // its place; until the row is updated, the old files stay reachable under the old name otherwise.
  fs::path aside;
  if (final_dir.lexically_normal() == old_dir.lexically_normal()) {
    aside = s.dir / "old";
    fs::rename(old_dir, aside);
  } else {
    fs::remove_all(final_dir, ec);
  }
  fs::rename(s.built, final_dir);
  auto before = t;
  t.version = s.manifest.version;
  t.description = s.manifest.description;
  t.author = s.manifest.author;
  t.license = s.manifest.license;
  t.homepage = s.manifest.homepage;
  t.css_path = (final_dir / "theme.css").string();
  t.assets_path = s.manifest.assets_dir ? std::optional<std::string>((final_dir / "assets").string()) : std::nullopt;
  t.updated_at = util::now_micros();
  try {
    repo_.update(t);
  } catch (...) {
    fs::remove_all(final_dir, ec);
    if (!aside.empty()) fs::rename(aside, old_dir, ec);
    throw;
  }
  if (aside.empty()) fs::remove_all(old_dir, ec);
  return t;
}

void ThemeService::enable(const std::string& id) {
  if (!repo_.enable(id)) model::throw_not_found("Theme not found");
}

void ThemeService::disable(const std::string& id) {
  if (!repo_.disable(id)) model::throw_not_found("Theme not found");
}

void ThemeService::remove(const std::string& id) {
  std::unique_lock lock(busy_, std::try_to_lock);
  if (!lock) model::throw_conflict("Another theme installation is in progress");
  auto t = find_or_404(id);
  if (!repo_.remove(id)) model::throw_not_found("Theme not found");
  std::error_code ec;
  fs::remove_all(fs::path(t.css_path).parent_path(), ec);  // a crash before this is swept at start-up
}

std::string ThemeService::asset_file(std::string_view rel) {
  if (!safe_relative_path(rel) || rel.ends_with('/')) model::throw_forbidden("Invalid asset path");
  auto t = repo_.active();
  if (!t || !t->assets_path) model::throw_not_found("Asset not found");
  auto p = fs::path(*t->assets_path) / std::string(rel);
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(p, ec))) model::throw_not_found("Asset not found");
  return p.string();
}

}  // namespace st::themes
