#include "auth/instance_settings.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/errors.hpp"
#include "util/strings.hpp"

namespace st::auth {

std::optional<std::string> InstanceSettings::raw(std::string_view key) {
  std::lock_guard lock(mu_);
  if (!loaded_) {
    cache_.clear();
    for (auto& [k, v] : repo_.all()) cache_.emplace(k, v);
    loaded_ = true;
  }
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

std::string InstanceSettings::text(std::string_view key) {
  if (auto v = raw(key)) return *v;
  const auto* spec = model::find_setting(key);
  return spec ? std::string(spec->default_value) : std::string();
}

std::optional<bool> InstanceSettings::is_private_in_memory() {
  constexpr std::string_view key = "instance_private";
  std::lock_guard lock(mu_);
  if (!loaded_) return std::nullopt;
  auto it = cache_.find(key);
  const auto* spec = model::find_setting(key);
  std::string_view text = it != cache_.end() ? std::string_view(it->second) : spec ? spec->default_value : "";
  return util::parse_bool(text).value_or(false);
}

bool InstanceSettings::flag(std::string_view key) { return util::parse_bool(text(key)).value_or(false); }

bool InstanceSettings::shares_allowed() {
  auto mode = text("share_links");
  if (mode == "on") return true;
  if (mode == "off") return false;
  return !is_private();
}

long long InstanceSettings::integer(std::string_view key) {
  if (auto n = util::parse_int(text(key))) return *n;
  const auto* spec = model::find_setting(key);
  return spec ? util::parse_int(spec->default_value).value_or(0) : 0;
}

std::string InstanceSettings::put(std::string_view key, std::string_view value) {
  const auto* spec = model::find_setting(key);
  if (!spec) model::throw_bad_request(fmt::format("Unknown setting '{}'", key));
  auto check = model::validate_setting(*spec, value);
  if (!check.value) model::throw_bad_request(check.error);
  repo_.put(key, *check.value);
  notify(key);
  return *check.value;
}

void InstanceSettings::reset(std::string_view key) {
  repo_.erase(key);
  notify(key);
}

void InstanceSettings::on_change(std::function<void(std::string_view)> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void InstanceSettings::forget_cached() {
  std::lock_guard lock(mu_);
  loaded_ = false;
}

void InstanceSettings::notify(std::string_view key) {
  std::function<void(std::string_view)> l;
  {
    std::lock_guard lock(mu_);
    loaded_ = false;
    l = listener_;
  }
  if (l) l(key);  // outside the lock: the listener reads settings
}

std::vector<SettingView> InstanceSettings::list() {
  std::vector<SettingView> out;
  for (const auto& spec : model::setting_catalogue()) {
    auto stored = raw(spec.key);
    SettingView v;
    v.key = std::string(spec.key);
    v.is_secret = spec.type == model::SettingType::secret;
    v.is_default = !stored.has_value();
    std::string value = stored ? *stored : std::string(spec.default_value);
    v.value = v.is_secret ? model::mask_secret(value) : value;
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace st::auth
