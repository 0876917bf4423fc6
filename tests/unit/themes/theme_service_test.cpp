// The installer with an in-memory repository and fake fetchers that write trees to disk.
#include "themes/theme_service.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "model/errors.hpp"
#include "themes/tree_check.hpp"
#include "util/uuid.hpp"

using namespace st;
namespace fs = std::filesystem;

namespace {

class MemoryThemes final : public model::ThemeRepository {
 public:
  std::vector<model::Theme> list() override {
    std::vector<model::Theme> out;
    for (auto& [id, t] : rows) out.push_back(t);
    return out;
  }
  std::optional<model::Theme> find(std::string_view id) override {
    auto it = rows.find(std::string(id));
    return it == rows.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<model::Theme> find_by_name(std::string_view name) override {
    for (auto& [id, t] : rows)
      if (t.name == name) return t;
    return std::nullopt;
  }
  std::optional<model::Theme> active() override {
    for (auto& [id, t] : rows)
      if (t.status == "enabled") return t;
    return std::nullopt;
  }
  bool insert(const model::Theme& t) override {
    if (find_by_name(t.name)) return false;
    rows[t.id] = t;
    return true;
  }
  bool update(const model::Theme& t) override {
    auto status = rows.at(t.id).status;
    rows[t.id] = t;
    rows[t.id].status = status;
    return true;
  }
  bool enable(std::string_view id) override {
    if (!find(id)) return false;
    for (auto& [k, t] : rows) t.status = k == id ? "enabled" : "disabled";
    return true;
  }
  bool disable(std::string_view id) override {
    if (!find(id)) return false;
    rows[std::string(id)].status = "disabled";
    return true;
  }
  bool remove(std::string_view id) override { return rows.erase(std::string(id)) > 0; }
  std::map<std::string, model::Theme> rows;
};

void write(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string manifest(std::string_view name, std::string_view version, bool assets = true) {
  return fmt::format("[theme]\nname = \"{}\"\nversion = \"{}\"\n[assets]\ncss = \"style.css\"\n{}", name, version,
                     assets ? "assets_dir = \"static\"\n" : "");
}

class ThemeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("st-themes-" + util::new_uuid());
    fs::create_directories(root);
    reset();
  }
  void TearDown() override { fs::remove_all(root); }

  void reset() {
    themes::ThemeServiceOptions o;
    o.theme_dir = (root / "themes").string();
    o.limits.max_bytes = 64 * 1024;
    o.limits.max_files = 10;
    o.allow_private_hosts = false;
    o.resolve = [](const std::string&) { return std::vector<std::string>{"198.51.100.7"}; };
    o.clone = [this](const std::string& url, const std::string& dest, const themes::TreeLimits&) {
      clones.push_back(url);
      if (!clone_error.empty()) return clone_error;
      fs::create_directories(dest);
      fs::create_directories(fs::path(dest) / ".git" / "objects");
      write(fs::path(dest) / ".git" / "HEAD", "ref: refs/heads/main\n");  // never validated nor installed
      tree(fs::path(dest));
      return std::string();
    };
    o.extract = [this](const std::string&, const std::string& dest, const themes::TreeLimits&,
                       const std::function<bool(std::string_view)>&) {
      tree(fs::path(dest) / "packed-1.0");  // one top folder, as archives of a repository hold
      return std::string();
    };
    service = std::make_unique<themes::ThemeService>(repo, o);
    service->sweep();
  }

  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const model::DomainError& e) {
      return e.what();
    }
    return "";
  }

  fs::path root;
  MemoryThemes repo;
  std::unique_ptr<themes::ThemeService> service;
  std::vector<std::string> clones;
  std::string clone_error;
  std::function<void(const fs::path&)> tree = [](const fs::path& d) {
    write(d / "theme.toml", manifest("ocean", "1.0"));
    write(d / "style.css", ":root { --primary: 200 80% 50%; }\n");
    write(d / "static" / "bg.png", "PNG");
    write(d / "static" / "fonts" / "a.woff2", "WOFF");
  };
};

}  // namespace

TEST_F(ThemeServiceTest, InstallsFromGitIntoNameVersionFolder) {
  auto t = service->install_from_git("https://git.example.org/ocean.git", std::string("u1"));
  EXPECT_EQ(t.name, "ocean");
  EXPECT_EQ(t.status, "disabled");
  EXPECT_EQ(t.git_url, "https://git.example.org/ocean.git");
  auto dir = root / "themes" / "ocean-1.0";
  EXPECT_EQ(fs::path(t.css_path), dir / "theme.css");
  EXPECT_EQ(fs::path(*t.assets_path), dir / "assets");
  EXPECT_TRUE(fs::exists(dir / "assets" / "fonts" / "a.woff2"));
  EXPECT_FALSE(fs::exists(dir / ".git"));
  EXPECT_FALSE(fs::exists(dir / "theme.toml"));
  EXPECT_FALSE(fs::exists(root / "themes" / ".staging" / "x")) << "staging emptied";
  EXPECT_TRUE(fs::is_empty(root / "themes" / ".staging"));
  // The same name again is refused.
  EXPECT_NE(error_of([&] { service->install_from_git("https://git.example.org/ocean.git", std::nullopt); })
                .find("already installed"),
            std::string::npos);
}

TEST_F(ThemeServiceTest, UrlIsCheckedBeforeAnyClone) {
  EXPECT_NE(error_of([&] { service->install_from_git("https://127.0.0.1/x.git", std::nullopt); }), "");
  EXPECT_NE(error_of([&] { service->install_from_git("http://git.example.org/x.git", std::nullopt); }), "");
  EXPECT_TRUE(clones.empty());
}

TEST_F(ThemeServiceTest, RefusedThemesLeaveNothingBehind) {
  struct Case {
    std::function<void(const fs::path&)> make;
    std::string expect;
  };
  std::vector<Case> cases = {
      {[](const fs::path& d) { write(d / "style.css", "x"); }, "theme.toml not found"},
      {[](const fs::path& d) {
         write(d / "theme.toml", "[theme]\nname = \"BAD\"\nversion = \"1.0\"\n[assets]\ncss = \"style.css\"\n");
         write(d / "style.css", "x");
       },
       "name must match"},
      {[](const fs::path& d) {
         write(d / "theme.toml", manifest("ocean", "1.0"));
         write(d / "style.css", "x");
         write(d / "static" / "evil.js", "alert(1)");
       },
       "static/evil.js: file type not allowed"},
      {[](const fs::path& d) {
         write(d / "theme.toml", manifest("ocean", "1.0"));
         write(d / "style.css", "x");
         fs::create_directories(d / "static");
         fs::create_symlink("/etc/passwd", d / "static" / "p.css");
       },
       "static/p.css: symlinks are not allowed"},
      {[](const fs::path& d) {
         write(d / "theme.toml", manifest("ocean", "1.0"));
         write(d / "style.css", std::string(70 * 1024, 'x'));
       },
       "larger than"},
      {[](const fs::path& d) {
         write(d / "theme.toml", manifest("ocean", "1.0", false));
         write(d / "style.css", "x");
         for (int i = 0; i < 11; ++i) write(d / fmt::format("f{}.png", i), "x");
       },
       "more than 10 files"},
      {[](const fs::path& d) {
         write(d / "theme.toml", manifest("ocean", "1.0"));
         write(d / "other.css", "x");
       },
       "style.css not found"},
      {[](const fs::path& d) {
         write(d / "theme.toml", manifest("ocean", "1.0"));
         write(d / "style.css", "x");
       },
       "assets_dir: static is not a folder"},
  };
  for (auto& c : cases) {
    tree = c.make;
    auto err = error_of([&] { service->install_from_git("https://git.example.org/t.git", std::nullopt); });
    EXPECT_NE(err.find(c.expect), std::string::npos) << "got: " << err;
    EXPECT_TRUE(repo.rows.empty());
    EXPECT_TRUE(fs::is_empty(root / "themes" / ".staging")) << c.expect;
    EXPECT_FALSE(fs::exists(root / "themes" / "ocean-1.0")) << c.expect;
  }
  clone_error = "connection refused";
  EXPECT_NE(error_of([&] { service->install_from_git("https://git.example.org/t.git", std::nullopt); })
                .find("git clone failed: connection refused"),
            std::string::npos);
}

TEST_F(ThemeServiceTest, ArchiveWithOneTopFolderInstalls) {
  auto t = service->install_from_archive("/unused", std::nullopt);
  EXPECT_EQ(t.git_url, "");
  EXPECT_TRUE(fs::exists(t.css_path));
  EXPECT_NE(error_of([&] { service->update(t.id); }).find("archive"), std::string::npos);
}

TEST_F(ThemeServiceTest, EnableDisableActiveAndAssets) {
  auto a = service->install_from_git("https://git.example.org/a.git", std::nullopt);
  tree = [](const fs::path& d) {
    write(d / "theme.toml", manifest("forest", "2.0", false));
    write(d / "style.css", "x");
  };
  auto b = service->install_from_git("https://git.example.org/b.git", std::nullopt);
  EXPECT_FALSE(service->active());
  service->enable(a.id);
  EXPECT_EQ(service->active()->id, a.id);
  EXPECT_EQ(fs::path(service->asset_file("fonts/a.woff2")), fs::path(*a.assets_path) / "fonts" / "a.woff2");
  EXPECT_NE(error_of([&] { service->asset_file("../theme.css"); }).find("Invalid"), std::string::npos);
  EXPECT_NE(error_of([&] { service->asset_file("/etc/passwd"); }).find("Invalid"), std::string::npos);
  EXPECT_NE(error_of([&] { service->asset_file("fonts"); }).find("not found"), std::string::npos);
  EXPECT_NE(error_of([&] { service->asset_file("nope.png"); }).find("not found"), std::string::npos);
  service->enable(b.id);  // one active theme at a time
  EXPECT_EQ(service->active()->id, b.id);
  EXPECT_EQ(repo.find(a.id)->status, "disabled");
  EXPECT_NE(error_of([&] { service->asset_file("bg.png"); }).find("not found"), std::string::npos);
  service->disable(b.id);
  EXPECT_FALSE(service->active());
  EXPECT_NE(error_of([&] { service->enable("00000000-0000-0000-0000-000000000000"); }).find("not found"),
            std::string::npos);
}

TEST_F(ThemeServiceTest, UpdateReplacesTheFolderAndDeleteRemovesIt) {
  auto t = service->install_from_git("https://git.example.org/a.git", std::nullopt);
  service->enable(t.id);
  tree = [](const fs::path& d) {
    write(d / "theme.toml", manifest("ocean", "1.1", false));
    write(d / "style.css", "new");
  };
  auto u = service->update(t.id);
  EXPECT_EQ(u.version, "1.1");
  EXPECT_FALSE(u.assets_path);
  EXPECT_FALSE(fs::exists(root / "themes" / "ocean-1.0"));
  EXPECT_TRUE(fs::exists(root / "themes" / "ocean-1.1" / "theme.css"));
  EXPECT_EQ(service->active()->id, t.id) << "an update keeps the theme enabled";
  // Same version again: the folder is replaced in place.
  auto again = service->update(t.id);
  EXPECT_TRUE(fs::exists(again.css_path));
  // A repository that now holds another theme is refused, and the installed one stays.
  tree = [](const fs::path& d) {
    write(d / "theme.toml", manifest("other", "1.0", false));
    write(d / "style.css", "x");
  };
  EXPECT_NE(error_of([&] { service->update(t.id); }).find("now holds theme other"), std::string::npos);
  EXPECT_TRUE(fs::exists(root / "themes" / "ocean-1.1" / "theme.css"));
  service->remove(t.id);
  EXPECT_FALSE(fs::exists(root / "themes" / "ocean-1.1"));
  EXPECT_FALSE(service->active());
}

TEST_F(ThemeServiceTest, SweepRemovesWhatACrashLeft) {
  auto t = service->install_from_git("https://git.example.org/a.git", std::nullopt);
  write(root / "themes" / ".staging" / "x" / "src" / "theme.toml", "half");
  write(root / "themes" / "orphan-1.0" / "theme.css", "renamed but never recorded");
  reset();
  EXPECT_FALSE(fs::exists(root / "themes" / ".staging"));
  EXPECT_FALSE(fs::exists(root / "themes" / "orphan-1.0"));
  EXPECT_TRUE(fs::exists(t.css_path));
}

TEST(ThemeTreeCheck, RefusesSpecialFiles) {
  auto d = fs::temp_directory_path() / ("st-tree-" + util::new_uuid());
  fs::create_directories(d);
  write(d / "theme.toml", "x");
  ASSERT_EQ(mkfifo((d / "pipe.css").c_str(), 0600), 0);
  EXPECT_NE(themes::check_tree(d.string(), {}).find("only regular files"), std::string::npos);
  fs::remove_all(d);
}
