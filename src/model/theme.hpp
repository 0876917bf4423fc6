#pragma once
// Installed web themes (CSS and assets that restyle the web app) and where they are kept.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

struct Theme {
  std::string id;
  std::string name;
  std::string version;
  std::optional<std::string> description;
  std::optional<std::string> author;
  std::optional<std::string> license;
  std::optional<std::string> homepage;
  std::string git_url;  // empty for a theme installed from an uploaded archive
  std::string css_path;  // absolute path of the installed theme.css
  std::optional<std::string> assets_path;  // absolute path of the installed assets/ folder, if any
  std::string status = "disabled";  // "enabled" | "disabled"
  util::Micros installed_at = 0;
  util::Micros updated_at = 0;
  std::optional<std::string> installed_by;
};

class ThemeRepository {
 public:
  virtual ~ThemeRepository() = default;
  virtual std::vector<Theme> list() = 0;  // by name
  virtual std::optional<Theme> find(std::string_view id) = 0;
  virtual std::optional<Theme> find_by_name(std::string_view name) = 0;
  virtual std::optional<Theme> active() = 0;  // the enabled one, if any
  // False when a theme of that name exists already.
  virtual bool insert(const Theme& t) = 0;
  // Everything but id, status, installed_at and installed_by.
  virtual bool update(const Theme& t) = 0;
  // Enables id and disables every other theme, at once. False when id is unknown.
  virtual bool enable(std::string_view id) = 0;
  virtual bool disable(std::string_view id) = 0;
  virtual bool remove(std::string_view id) = 0;
};

}  // namespace st::model
