#pragma once
// The instance settings service: typed reads with the catalogue's defaults, validated writes, and a
// cache (settings are read on every gated request; only this process writes them).
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/settings.hpp"

namespace st::auth {

struct SettingView {
  std::string key;
  std::string value;  // masked for secrets
  bool is_secret = false;
  bool is_default = false;
};

class InstanceSettings {
 public:
  explicit InstanceSettings(model::SettingsRepository& repo) : repo_(repo) {}

  std::string text(std::string_view key);
  bool flag(std::string_view key);
  long long integer(std::string_view key);

  // Validates against the catalogue; throws DomainError 400 for an unknown key or a bad value.
  // Returns the stored (canonical) value.
  std::string put(std::string_view key, std::string_view value);
  void reset(std::string_view key);
  // Every known setting, secrets masked, sorted by key.
  std::vector<SettingView> list();

  // The stored value only (nothing when the catalogue default applies): for settings whose default comes
  // from the environment (P2P).
  std::optional<std::string> stored(std::string_view key) { return raw(key); }
  // Called with the key after each put/reset (one listener, set by the composition root; nullptr clears).
  void on_change(std::function<void(std::string_view)> listener);
  // Settings changed by another node on the same database: read them again (the listener is not called).
  void forget_cached();

  bool is_private() { return flag("instance_private"); }
  // Whether public share links may be made and opened (the share_links setting; "auto" follows privacy:
  // on a private instance a member must not publish its music to anyone without an admin's say).
  bool shares_allowed();
  // As is_private(), from memory only: nothing when the settings would have to be read from the database
  // first (for code that must not block).
  std::optional<bool> is_private_in_memory();

 private:
  std::optional<std::string> raw(std::string_view key);
  void notify(std::string_view key);  // drops the cache, then tells the listener

  model::SettingsRepository& repo_;
  std::mutex mu_;
  bool loaded_ = false;
  std::map<std::string, std::string, std::less<>> cache_;
  std::function<void(std::string_view)> listener_;  // guarded by mu_
};

}  // namespace st::auth
