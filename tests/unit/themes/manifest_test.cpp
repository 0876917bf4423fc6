#include "themes/manifest.hpp"

#include <gtest/gtest.h>

#include "themes/path_rules.hpp"

using namespace st::themes;

namespace {

constexpr const char* kGood = R"(# a theme
[theme]
name = "ocean-blue"   # the id
version = "1.2.0"
description = "Deep \"blue\"\nwaves \u00e9"
author = 'Ann \ O'
license = "MIT"
homepage = "https://example.org/ocean"

[assets]
css = "css/theme.css"
assets_dir = "assets/"
)";

std::string with(std::string_view replace_line, std::string_view by) {
  std::string s = kGood;
  auto at = s.find(replace_line);
  if (at == std::string::npos) return s;
  s.replace(at, replace_line.size(), by);
  return s;
}

}  // namespace

TEST(ThemeManifest, ParsesTheSubsetAManifestNeeds) {
  auto r = parse_manifest(kGood);
  ASSERT_TRUE(r.manifest) << r.error;
  EXPECT_EQ(r.manifest->name, "ocean-blue");
  EXPECT_EQ(r.manifest->version, "1.2.0");
  EXPECT_EQ(*r.manifest->description, "Deep \"blue\"\nwaves \xC3\xA9");
  EXPECT_EQ(*r.manifest->author, "Ann \\ O");  // literal strings keep backslashes
  EXPECT_EQ(*r.manifest->homepage, "https://example.org/ocean");
  EXPECT_EQ(r.manifest->css, "css/theme.css");
  EXPECT_EQ(*r.manifest->assets_dir, "assets");
}

TEST(ThemeManifest, UnknownKeysAndTablesAreIgnoredWhenSimple) {
  auto r = parse_manifest(std::string(kGood) + "\n[extra]\nflag = true\ncount = 3\n");
  EXPECT_TRUE(r.manifest) << r.error;
}

TEST(ThemeManifest, RefusesWithAClearMessage) {
  struct Case {
    std::string text;
    std::string expect;
  };
  std::vector<Case> cases = {
      {with("name = \"ocean-blue\"", "name = \"Ocean\""), "name must match"},
      {with("name = \"ocean-blue\"", "name = \"o\""), "name must match"},
      {with("name = \"ocean-blue\"", "name = \"9lives\""), "name must match"},
      {with("name = \"ocean-blue\"", ""), "missing [theme] name"},
      {with("version = \"1.2.0\"", "version = \"1\""), "version must contain a dot"},
      {with("version = \"1.2.0\"", "version = \"1.0/../x\""), "version may only hold"},
      {with("version = \"1.2.0\"", "version = 1.2"), "version must be a string"},
      {with("css = \"css/theme.css\"", "css = \"../theme.css\""), "css must be a relative path"},
      {with("css = \"css/theme.css\"", "css = \"/etc/theme.css\""), "css must be a relative path"},
      {with("css = \"css/theme.css\"", "css = \"theme.js\""), "css must be a relative path"},
      {with("css = \"css/theme.css\"", "css = \".git/x.css\""), "inside .git"},
      {with("css = \"css/theme.css\"", ""), "missing [assets] css"},
      {with("assets_dir = \"assets/\"", "assets_dir = \"a/../../b\""), "assets_dir must be a relative path"},
      {with("assets_dir = \"assets/\"", "assets_dir = \".git\""), "inside .git"},
      {with("[assets]", "[assets]\n[assets]"), "line 11: table [assets] defined twice"},
      {with("license = \"MIT\"", "license = \"MIT\"\nlicense = \"GPL\""), "key license defined twice"},
      {with("license = \"MIT\"", "license = \"MIT"), "unterminated string"},
      {with("license = \"MIT\"", "license = \"\"\"MIT\"\"\""), "multi-line strings"},
      {with("license = \"MIT\"", "license = [\"MIT\"]"), "arrays"},
      {with("license = \"MIT\"", "license = \"MIT\" trailing"), "unexpected text"},
      {with("license = \"MIT\"", "license = \"\\q\""), "unknown escape"},
      {with("license = \"MIT\"", "license = \"\\u0001\""), "bad \\u escape"},
      {with("homepage = \"https://example.org/ocean\"", "homepage = \"javascript:alert(1)\""), "http(s) URL"},
      {with("[assets]", "[[assets]]"), "arrays of tables"},
      {with("[assets]", "[assets"), "unterminated table header"},
      {with("license = \"MIT\"", "theme.license = \"MIT\""), "expected key = value"},
      {std::string(kGood).substr(0, std::string(kGood).find("[assets]")), "missing [assets] table"},
      {std::string(kMaxManifestBytes + 1, '#'), "larger than"},
      {std::string(600, '\n'), "more than 500 lines"},
  };
  for (const auto& c : cases) {
    auto r = parse_manifest(c.text);
    EXPECT_FALSE(r.manifest) << c.text;
    EXPECT_NE(r.error.find(c.expect), std::string::npos) << "got: " << r.error << " for:\n" << c.text;
  }
}

TEST(ThemeManifest, NameRule) {
  EXPECT_TRUE(valid_theme_name("ab"));
  EXPECT_TRUE(valid_theme_name("a-9"));
  EXPECT_TRUE(valid_theme_name("a" + std::string(63, 'b')));
  EXPECT_FALSE(valid_theme_name("a" + std::string(64, 'b')));
  EXPECT_FALSE(valid_theme_name("a_b"));
  EXPECT_FALSE(valid_theme_name("-ab"));
}

TEST(ThemePaths, SafeRelativePaths) {
  for (auto p : {"a.css", "css/a.css", "assets/", "a/b/c.png", "my theme/x.css"}) EXPECT_TRUE(safe_relative_path(p)) << p;
  for (auto p : {"", "/", "/etc/passwd", "../a", "a/../b", "a/..", "./a", "a//b", "a\\b", "c:x", "a/\n", ".", "a/./b"})
    EXPECT_FALSE(safe_relative_path(p)) << p;
  EXPECT_FALSE(safe_relative_path(std::string(1100, 'a')));
  EXPECT_EQ(normalize_entry_name("./a/b/"), "a/b");
}

TEST(ThemePaths, AllowedExtensions) {
  for (auto f : {"a.css", "x/y.PNG", "a.jpg", "a.jpeg", "a.svg", "a.webp", "a.woff2", "a.woff", "a.ttf", "a.otf"})
    EXPECT_TRUE(allowed_extension(f)) << f;
  for (auto f : {"a.js", "a.html", "README.md", "css", ".css", "a.css.exe", "x.css/y", "Makefile"})
    EXPECT_FALSE(allowed_extension(f)) << f;
}
