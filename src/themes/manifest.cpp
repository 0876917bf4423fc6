#include "themes/manifest.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <set>

#include "themes/path_rules.hpp"
#include "util/strings.hpp"

namespace st::themes {

namespace {

constexpr std::size_t kMaxLine = 4096;
constexpr std::size_t kMaxLines = 500;

struct Failure {
  std::string message;
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// A string value at the start of s; what follows it is returned in rest.
std::string parse_string(std::string_view s, std::string_view& rest) {
  if (s.starts_with("\"\"\"") || s.starts_with("'''")) throw Failure{"multi-line strings are not supported"};
  char quote = s.front();
  std::string out;
  std::size_t i = 1;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == quote) {
      rest = s.substr(i + 1);
      return out;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') throw Failure{"control character in a string"};
    if (c == 0x7f) throw Failure{"control character in a string"};
    if (c != '\\' || quote == '\'') {
      out += c;
      continue;
    }
    if (++i >= s.size()) break;
    switch (s[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u':
      case 'U': {
        std::size_t n = s[i] == 'u' ? 4 : 8;
        if (i + n >= s.size()) throw Failure{"bad \\u escape"};
        unsigned long cp = 0;
        for (std::size_t k = 1; k <= n; ++k) {
          char h = s[i + k];
          int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
          if (v < 0) throw Failure{"bad \\u escape"};
          cp = cp * 16 + static_cast<unsigned long>(v);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (cp < 0x20 && cp != '\n' && cp != '\t')) throw Failure{"bad \\u escape"};
        util::append_utf8(out, static_cast<std::uint32_t>(cp));
        i += n;
        break;
      }
      default: throw Failure{"unknown escape in a string"};
    }
  }
  throw Failure{"unterminated string"};
}

// Values of keys we do not know: skipped, but they must still be simple (a string, number or boolean).
void skip_scalar(std::string_view s) {
  if (s.empty()) throw Failure{"missing value"};
  if (s.front() == '[' || s.front() == '{') throw Failure{"arrays and inline tables are not supported"};
  for (char c : s)
    if (!(bare_key_char(c) || c == '.' || c == '+' || c == ':')) throw Failure{"unsupported value"};
}

std::string_view after_value(std::string_view rest) {
  rest = trim(rest);
  if (!rest.empty() && rest.front() != '#') throw Failure{"unexpected text after the value"};
  return rest;
}

void check_length(const std::optional<std::string>& v, std::size_t max, const char* what) {
  if (v && v->size() > max) throw Failure{fmt::format("{} must be at most {} characters", what, max)};
}

}  // namespace

bool valid_theme_name(std::string_view name) {
  if (name.size() < 2 || name.size() > 64) return false;
  if (!(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name.substr(1))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

ManifestResult parse_manifest(std::string_view text) {
  ManifestResult result;
  if (text.size() > kMaxManifestBytes) {
    result.error = fmt::format("theme.toml is larger than {} bytes", kMaxManifestBytes);
    return result;
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 BOM some editors write
  std::map<std::string, std::map<std::string, std::string>, std::less<>> tables;
  std::set<std::string, std::less<>> seen_tables;
  std::string table;  // "" = root
  std::size_t line_no = 0;
  try {
    std::size_t pos = 0;
    while (pos <= text.size()) {
      auto nl = text.find('\n', pos);
      auto raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
      if (++line_no > kMaxLines) throw Failure{fmt::format("more than {} lines", kMaxLines)};
      if (raw.size() > kMaxLine) throw Failure{"line too long"};
      auto line = trim(raw);
      if (line.empty() || line.front() == '#') continue;
      if (line.front() == '[') {
        if (line.starts_with("[[")) throw Failure{"arrays of tables are not supported"};
        auto close = line.find(']');
        if (close == std::string_view::npos) throw Failure{"unterminated table header"};
        auto name = trim(line.substr(1, close - 1));
        if (name.empty() || name.size() > 64) throw Failure{"bad table name"};
        for (char c : name)
          if (!(bare_key_char(c) || c == '.')) throw Failure{"bad table name"};
        after_value(line.substr(close + 1));
        if (!seen_tables.insert(std::string(name)).second) throw Failure{fmt::format("table [{}] defined twice", name)};
        table = std::string(name);
        continue;
      }
      std::size_t k = 0;
      while (k < line.size() && bare_key_char(line[k])) ++k;
      if (k == 0 || k > 64) throw Failure{"expected key = value"};
      std::string key(line.substr(0, k));
      auto rest = trim(line.substr(k));
      if (rest.empty() || rest.front() != '=') throw Failure{"expected key = value"};
      rest = trim(rest.substr(1));
      auto& entries = tables[table];
      if (entries.contains(key)) throw Failure{fmt::format("key {} defined twice", key)};
      if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
        std::string_view after;
        entries[key] = parse_string(rest, after);
        after_value(after);
      } else {
        auto hash = rest.find('#');
        auto value = trim(rest.substr(0, hash));
        skip_scalar(value);
        entries[key] = std::string("\x01") + std::string(value);  // marks a non-string value
      }
    }
    line_no = 0;  // errors below are about fields, not lines

    auto get = [&](std::string_view t, std::string_view key) -> std::optional<std::string> {
      auto it = tables.find(t);
      if (it == tables.end()) return std::nullopt;
      auto e = it->second.find(std::string(key));
      if (e == it->second.end()) return std::nullopt;
      if (e->second.starts_with('\x01')) throw Failure{fmt::format("[{}] {} must be a string", t, key)};
      return e->second;
    };
    if (!tables.contains("theme")) throw Failure{"missing [theme] table"};
    if (!tables.contains("assets")) throw Failure{"missing [assets] table"};
    Manifest m;
    auto name = get("theme", "name");
    if (!name) throw Failure{"missing [theme] name"};
    if (!valid_theme_name(*name))
      throw Failure{"[theme] name must match ^[a-z][a-z0-9-]{1,63}$ (lowercase letters, digits and dashes)"};
    m.name = *name;
    auto version = get("theme", "version");
    if (!version) throw Failure{"missing [theme] version"};
    if (version->size() > 50 || version->find('.') == std::string::npos)
      throw Failure{"[theme] version must contain a dot and be at most 50 characters"};
    for (char c : *version)
      if (!(bare_key_char(c) || c == '.' || c == '+')) throw Failure{"[theme] version may only hold letters, digits, '.', '-', '+'"};
    m.version = *version;
    m.description = get("theme", "description");
    m.author = get("theme", "author");
    m.license = get("theme", "license");
    m.homepage = get("theme", "homepage");
    check_length(m.description, 1000, "[theme] description");
    check_length(m.author, 255, "[theme] author");
    check_length(m.license, 50, "[theme] license");
    check_length(m.homepage, 500, "[theme] homepage");
    if (m.homepage && !m.homepage->empty() && !m.homepage->starts_with("https://") && !m.homepage->starts_with("http://"))
      throw Failure{"[theme] homepage must be an http(s) URL"};
    auto css = get("assets", "css");
    if (!css) throw Failure{"missing [assets] css"};
    if (!safe_relative_path(*css) || css->ends_with('/') || !css->ends_with(".css"))
      throw Failure{"[assets] css must be a relative path ending in .css, without '..'"};
    auto in_git = [](std::string_view p) { return p == ".git" || p.starts_with(".git/"); };
    if (in_git(*css)) throw Failure{"[assets] css must not be inside .git"};
    m.css = *css;
    if (auto dir = get("assets", "assets_dir")) {
      if (!safe_relative_path(*dir)) throw Failure{"[assets] assets_dir must be a relative path, without '..'"};
      m.assets_dir = normalize_entry_name(*dir);
      if (in_git(*m.assets_dir)) throw Failure{"[assets] assets_dir must not be inside .git"};
    }
    result.manifest = std::move(m);
  } catch (const Failure& f) {
    result.error = line_no ? fmt::format("theme.toml line {}: {}", line_no, f.message) : "theme.toml: " + f.message;
  }
  return result;
}

}  // namespace st::themes
