#include "auth/account_service.hpp"

#include <fmt/format.h>

#include "auth/validation.hpp"
#include "crypto/password.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::auth {

using model::throw_bad_request;

AccountService::AccountService(model::UserRepository& users, InstanceSettings& settings, SessionService& sessions)
    : users_(users), settings_(settings), sessions_(sessions) {}

model::User AccountService::create(NewAccount a, model::CreatePolicy policy) {
  a.username = std::string(util::trim(a.username));
  a.email = std::string(util::trim(a.email));
  if (auto e = check_username(a.username)) throw_bad_request(*e);
  if (auto e = check_email(a.email)) throw_bad_request(*e);
  if (auto e = check_password(a.password)) throw_bad_request(*e);
  if (a.display_name) {
    a.display_name = std::string(util::trim(*a.display_name));
    if (a.display_name->empty()) a.display_name.reset();
    else if (auto e = check_display_name(*a.display_name)) throw_bad_request(*e);
  }
  model::User u;
  u.id = util::new_uuid();
  u.username = a.username;
  u.email = a.email;
  u.password_hash = crypto::hash_password(a.password);
  u.display_name = a.display_name;
  u.role = a.role;
  u.created_at = u.updated_at = util::now_micros();
  try {
    if (!users_.create(u, policy)) model::throw_forbidden("Admin account already exists");
  } catch (const model::UniqueViolation&) {
    model::throw_conflict("Username or email already taken");
  }
  return u;
}

model::User AccountService::register_user(NewAccount a) {
  a.role = model::Role::user;
  if (users_.count() > 0) {
    if (!settings_.flag("setup_complete"))
      model::throw_forbidden("Instance is being configured. Registration will open once setup is complete.");
    if (settings_.is_private())
      model::throw_forbidden("Registration is disabled on this private instance. Ask an administrator for an account.");
    if (!settings_.flag("open_registrations"))
      model::throw_forbidden("Registration is closed on this instance. Ask an administrator for an account.");
  }
  return create(std::move(a), model::CreatePolicy::first_is_admin);
}

model::User AccountService::create_setup_admin(NewAccount a) {
  a.role = model::Role::admin;
  return create(std::move(a), model::CreatePolicy::only_if_no_users);
}

model::User AccountService::create_by_admin(NewAccount a) { return create(std::move(a), model::CreatePolicy::any); }

model::User AccountService::login(std::string_view username, std::string_view password) {
  auto user = users_.find_by_username(util::trim(username));
  if (!user) {
    // Spend the same time as a real check so response times do not reveal which usernames exist.
    crypto::verify_password(crypto::dummy_password_hash(), password);
    model::throw_unauthorized("Invalid credentials");
  }
  if (!crypto::verify_password(user->password_hash, password)) model::throw_unauthorized("Invalid credentials");
  if (user->is_banned)
    model::throw_forbidden(ban_message(*user));
  return *user;
}

model::User AccountService::change_email(const AuthenticatedUser& who, std::string_view new_email,
                                         std::string_view password) {
  std::string email(util::trim(new_email));
  if (auto e = check_email(email)) throw_bad_request(*e);
  if (!crypto::verify_password(who.user.password_hash, password)) model::throw_unauthorized("Incorrect password");
  if (auto other = users_.find_by_email(email); other && other->id != who.user.id)
    model::throw_conflict("This email is already in use");
  try {
    users_.update_email(who.user.id, email, util::now_micros());
  } catch (const model::UniqueViolation&) {
    model::throw_conflict("This email is already in use");
  }
  return get_user(who.user.id);
}

model::User AccountService::change_display_name(const AuthenticatedUser& who, std::optional<std::string> name) {
  if (name) {
    name = std::string(util::trim(*name));
    if (name->empty()) name.reset();
    else if (auto e = check_display_name(*name)) throw_bad_request(*e);
  }
  users_.update_display_name(who.user.id, name, util::now_micros());
  return get_user(who.user.id);
}

void AccountService::change_password(const AuthenticatedUser& who, std::string_view current, std::string_view next) {
  if (auto e = check_password(next)) throw_bad_request(*e);
  if (!crypto::verify_password(who.user.password_hash, current)) model::throw_unauthorized("Incorrect password");
  users_.update_password(who.user.id, crypto::hash_password(next), util::now_micros());
  sessions_.end_other_sessions(who.user.id, who.session_id);
}

void AccountService::delete_account(const AuthenticatedUser& who, std::string_view password) {
  if (!crypto::verify_password(who.user.password_hash, password)) model::throw_unauthorized("Incorrect password");
  if (!users_.remove_keeping_an_admin(who.user.id))
    model::throw_forbidden("You are the only administrator: promote another user before deleting your account");
  sessions_.end_all_sessions(who.user.id);  // gone with the user already; this tells the session service
}

void AccountService::delete_by_admin(std::string_view user_id) {
  get_user(user_id);
  if (!users_.remove_keeping_an_admin(user_id)) model::throw_conflict("Cannot delete the last administrator");
  sessions_.end_all_sessions(user_id);  // gone with the user already; this tells the session service
}

void AccountService::set_email_by_admin(std::string_view user_id, std::string_view new_email) {
  std::string email(util::trim(new_email));
  if (auto e = check_email(email)) throw_bad_request(*e);
  get_user(user_id);
  if (auto other = users_.find_by_email(email); other && other->id != user_id)
    model::throw_conflict("This email is already in use");
  try {
    users_.update_email(user_id, email, util::now_micros());
  } catch (const model::UniqueViolation&) {
    model::throw_conflict("This email is already in use");
  }
}

std::vector<model::User> AccountService::list_users() { return users_.list_by_username(); }

model::User AccountService::get_user(std::string_view id) {
  auto u = users_.find_by_id(id);
  if (!u) model::throw_not_found("User not found");
  return *u;
}

void AccountService::set_role(std::string_view user_id, model::Role role) {
  auto u = get_user(user_id);
  if (u.role == role) return;
  if (!users_.update_role_keeping_an_admin(user_id, role, util::now_micros()))
    model::throw_conflict("Cannot remove the last administrator");
  // A demoted admin's tokens must not keep admin powers; ending the sessions makes that plain to them too.
  if (role == model::Role::user) sessions_.end_all_sessions(user_id);
}

void AccountService::ban(std::string_view actor_id, std::string_view user_id, std::optional<std::string> reason) {
  auto u = get_user(user_id);
  if (u.id == actor_id) throw_bad_request("You cannot ban yourself");
  if (u.role == model::Role::admin) throw_bad_request("Cannot ban an admin user");
  if (reason) {
    reason = std::string(util::trim(*reason));
    if (reason->empty()) reason.reset();
    else if (reason->size() > 1000) throw_bad_request("Ban reason must be at most 1000 characters");
  }
  users_.set_ban(user_id, true, reason, util::now_micros());
  sessions_.end_all_sessions(user_id);
}

void AccountService::unban(std::string_view user_id) {
  get_user(user_id);
  users_.set_ban(user_id, false, std::nullopt, util::now_micros());
}

void AccountService::reset_password(std::string_view user_id, std::string_view password) {
  if (auto e = check_password(password)) throw_bad_request(*e);
  get_user(user_id);
  users_.update_password(user_id, crypto::hash_password(password), util::now_micros());
  sessions_.end_all_sessions(user_id);
}

}  // namespace st::auth
