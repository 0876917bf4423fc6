#include "model/user.hpp"

namespace st::model {

std::string_view to_string(Role r) { return r == Role::admin ? "admin" : "user"; }

std::optional<Role> parse_role(std::string_view s) {
  if (s == "admin") return Role::admin;
  if (s == "user") return Role::user;
  return std::nullopt;
}

}  // namespace st::model
