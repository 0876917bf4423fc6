#pragma once
// Account field rules (the original's, applied everywhere an account is created or changed).
#include <optional>
#include <string>
#include <string_view>

namespace st::auth {

// Each returns an error message, or nothing when the value is acceptable.
std::optional<std::string> check_username(std::string_view username);
std::optional<std::string> check_email(std::string_view email);
std::optional<std::string> check_password(std::string_view password);
std::optional<std::string> check_display_name(std::string_view name);

}  // namespace st::auth
