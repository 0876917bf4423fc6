#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

enum class Role { admin, user };

std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

struct User {
  std::string id;
  std::string username;
  std::string email;
  std::string password_hash;
  std::optional<std::string> display_name;
  std::optional<std::string> avatar_url;
  Role role = Role::user;
  bool is_banned = false;
  std::optional<std::string> ban_reason;
  std::optional<util::Micros> banned_at;
  util::Micros created_at = 0;
  util::Micros updated_at = 0;
};

// Who may be created by UserRepository::create.
enum class CreatePolicy {
  any,                // plain create with the given role
  first_is_admin,     // the role becomes admin when no user exists yet (decided atomically)
  only_if_no_users,   // refused (returns false) when any user exists: the setup wizard's admin
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  virtual std::optional<User> find_by_id(std::string_view id) = 0;
  virtual std::optional<User> find_by_username(std::string_view username) = 0;
  virtual std::optional<User> find_by_email(std::string_view email) = 0;
  virtual std::vector<User> list_by_username() = 0;
  virtual std::int64_t count() = 0;
  virtual std::int64_t count_active_admins() = 0;

  // Inserts user (its role may be changed by the policy; the final role is written back).
  // Returns false only for only_if_no_users when a user exists; throws UniqueViolation on a taken name or email.
  virtual bool create(User& user, CreatePolicy policy) = 0;

  virtual void update_email(std::string_view id, std::string_view email, util::Micros now) = 0;
  virtual void update_display_name(std::string_view id, const std::optional<std::string>& name, util::Micros now) = 0;
  virtual void update_password(std::string_view id, std::string_view hash, util::Micros now) = 0;
  // Changes the role unless that would leave no active admin; returns false then.
  virtual bool update_role_keeping_an_admin(std::string_view id, Role role, util::Micros now) = 0;
  virtual void set_ban(std::string_view id, bool banned, std::optional<std::string> reason, util::Micros now) = 0;
  // Deletes the user unless no active admin would remain; returns false then.
  virtual bool remove_keeping_an_admin(std::string_view id) = 0;
};

}  // namespace st::model
