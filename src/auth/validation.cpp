#include "auth/validation.hpp"

namespace st::auth {

std::optional<std::string> check_username(std::string_view u) {
  if (u.size() < 3 || u.size() > 64) return "Username must be between 3 and 64 characters";
  for (unsigned char c : u) {
    if (c == '@' || c == '/' || c == '\\' || c == ':' || c <= 0x20 || c == 0x7f)
      return "Username cannot contain spaces, control characters or any of @ / \\ :";
  }
  return std::nullopt;
}

std::optional<std::string> check_email(std::string_view e) {
  auto at = e.find('@');
  bool ok = e.size() >= 3 && e.size() <= 254 && at != std::string_view::npos && at != 0 && at + 1 < e.size() &&
            e.find('@', at + 1) == std::string_view::npos;
  if (ok) {
    auto domain = e.substr(at + 1);
    auto dot = domain.find('.');
    ok = dot != std::string_view::npos && dot != 0 && dot + 1 < domain.size();
    for (unsigned char c : e)
      if (c <= 0x20 || c == 0x7f) ok = false;
  }
  if (!ok) return "Invalid email address";
  return std::nullopt;
}

std::optional<std::string> check_password(std::string_view p) {
  if (p.size() < 8) return "Password must be at least 8 characters";
  if (p.size() > 1024) return "Password must be at most 1024 characters";
  return std::nullopt;
}

std::optional<std::string> check_display_name(std::string_view n) {
  if (n.size() > 128) return "Display name must be at most 128 characters";
  return std::nullopt;
}

}  // namespace st::auth
