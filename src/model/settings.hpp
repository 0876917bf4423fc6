#pragma once
// Instance settings: a fixed catalogue of known keys, each with a type, a default and a validator.
// Unknown keys are refused; secrets are stored but never returned in clear.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace st::model {

enum class SettingType { boolean, integer, text, secret };

struct SettingSpec {
  std::string_view key;
  SettingType type;
  std::string_view default_value;
  long long min = 0;  // integers only
  long long max = 0;
  std::string_view description;
};

const std::vector<SettingSpec>& setting_catalogue();
const SettingSpec* find_setting(std::string_view key);

// The canonical stored form of value for spec, or an error message saying what is wrong.
struct SettingCheck {
  std::optional<std::string> value;
  std::string error;
};
SettingCheck validate_setting(const SettingSpec& spec, std::string_view value);

// What a client sees for a secret: empty when unset, a fixed mask otherwise.
std::string mask_secret(std::string_view value);

class SettingsRepository {
 public:
  virtual ~SettingsRepository() = default;
  virtual std::optional<std::string> get(std::string_view key) = 0;
  virtual std::vector<std::pair<std::string, std::string>> all() = 0;
  virtual void put(std::string_view key, std::string_view value) = 0;
  // Stores the value unless the key has one already; answers the value the key holds afterwards (one
  // writer wins when several try at once).
  virtual std::string put_if_absent(std::string_view key, std::string_view value) = 0;
  virtual void erase(std::string_view key) = 0;
};

struct AdminCounts {
  long long total_users = 0;
  long long total_tracks = 0;
  long long total_albums = 0;
  long long total_artists = 0;
  long long total_blocked_domains = 0;
  long long total_remote_tracks = 0;
  long long total_playlists = 0;
  long long active_sessions = 0;
};

class StatsRepository {
 public:
  virtual ~StatsRepository() = default;
  virtual AdminCounts admin_counts(long long now_micros) = 0;
};

}  // namespace st::model
