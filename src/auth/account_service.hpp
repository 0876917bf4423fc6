#pragma once
// Accounts: registration (with the instance's policy), login, the setup wizard's first admin, self-service
// changes, and what administrators do to users. Session consequences (revocation) are applied here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/instance_settings.hpp"
#include "auth/session_service.hpp"
#include "model/user.hpp"

namespace st::auth {

struct NewAccount {
  std::string username;
  std::string email;
  std::string password;
  std::optional<std::string> display_name;
  model::Role role = model::Role::user;
};

class AccountService {
 public:
  AccountService(model::UserRepository& users, InstanceSettings& settings, SessionService& sessions);

  // Public registration, subject to the instance's settings; the very first account becomes admin.
  model::User register_user(NewAccount account);
  // The setup wizard's admin: only while no account exists (403 otherwise).
  model::User create_setup_admin(NewAccount account);
  // An administrator (or the CLI) creates an account with the given role, whatever the registration policy.
  model::User create_by_admin(NewAccount account);

  // Checks credentials (401) and bans (403); the timing does not reveal whether the user exists.
  model::User login(std::string_view username, std::string_view password);

  model::User change_email(const AuthenticatedUser& who, std::string_view new_email, std::string_view password);
  // The name shown instead of the username (empty or missing: none).
  model::User change_display_name(const AuthenticatedUser& who, std::optional<std::string> name);
  // Also ends the user's other sessions.
  void change_password(const AuthenticatedUser& who, std::string_view current, std::string_view next);
  void delete_account(const AuthenticatedUser& who, std::string_view password);

  std::vector<model::User> list_users();
  std::int64_t user_count() { return users_.count(); }
  model::User get_user(std::string_view id);
  // Refuses to leave the instance without an admin. Demotion ends the user's sessions.
  void set_role(std::string_view user_id, model::Role role);
  void ban(std::string_view actor_id, std::string_view user_id, std::optional<std::string> reason);
  void unban(std::string_view user_id);
  // Refuses (409) to delete the last administrator.
  void delete_by_admin(std::string_view user_id);
  void set_email_by_admin(std::string_view user_id, std::string_view email);
  // Sets a password without the old one (CLI); ends every session of the user.
  void reset_password(std::string_view user_id, std::string_view password);

 private:
  model::User create(NewAccount account, model::CreatePolicy policy);

  model::UserRepository& users_;
  InstanceSettings& settings_;
  SessionService& sessions_;
};

}  // namespace st::auth
