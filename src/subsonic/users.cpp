// User management: getUser, getUsers, createUser, updateUser, deleteUser, changePassword. Roles map onto
// ours: adminRole is an administrator; every account may stream, download, upload, share and make
// playlists.
#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"

namespace st::subsonic {

namespace {

Node user_node(Call& c, const model::User& u) {
  Node n;
  bool admin = u.role == model::Role::admin;
  n.set("username", u.username);
  n.set("email", u.email);
  n.set("scrobblingEnabled", true);
  n.set("adminRole", admin);
  n.set("settingsRole", true);
  n.set("downloadRole", true);
  n.set("uploadRole", true);
  n.set("playlistRole", true);
  n.set("coverArtRole", admin);
  n.set("commentRole", true);
  n.set("podcastRole", false);
  n.set("streamRole", true);
  n.set("jukeboxRole", false);
  n.set("shareRole", c.d.settings.shares_allowed());
  n.set("videoConversionRole", false);
  auto& folders = n.scalars("folder");
  for (std::size_t i = 0; i < c.d.music_folders.size(); ++i) folders.push_back(static_cast<std::int64_t>(i + 1));
  return n;
}

// A password parameter, plain or "enc:" + hex.
std::string password_param(Call& c) {
  auto p = auth::decode_subsonic_password(c.str("password"));
  if (!p) fail(Code::generic, "password: bad enc: hex");
  return *p;
}

model::User require_user(Call& c) {
  auto u = c.d.users.find_by_username(c.str("username"));
  if (!u) not_found("User");
  return *u;
}

// The named user, for a call that a non-admin may make about themselves only: anyone else, existing or
// not, is refused alike (50), so that the answer does not tell which names exist.
model::User own_or_admin(Call& c) {
  auto u = c.d.users.find_by_username(c.str("username"));
  if (!u || u->id != c.user.id) c.require_admin();
  if (!u) not_found("User");
  return *u;
}

Reply get_user(Call& c) {
  auto u = own_or_admin(c);
  Node body;
  body.object("user") = user_node(c, u);
  return body;
}

Reply get_users(Call& c) {
  c.require_admin();
  Node body;
  auto& list = body.object("users").list("user");
  for (const auto& u : c.d.accounts.list_users()) list.push_back(user_node(c, u));
  return body;
}

Reply create_user(Call& c) {
  c.require_admin();
  auth::NewAccount a;
  a.username = c.str("username");
  a.password = password_param(c);
  a.email = c.str("email");
  a.role = c.opt_bool("adminRole").value_or(false) ? model::Role::admin : model::Role::user;
  c.d.accounts.create_by_admin(std::move(a));
  return Node{};
}

Reply update_user(Call& c) {
  c.require_admin();
  auto u = require_user(c);
  // Like changePassword: whoever holds an admin's app password must not set anyone's password with it.
  if (c.params.has("password") && c.by_app_password)
    fail(Code::not_authorized, "Setting a password needs the account password, not an app password");
  if (auto email = c.opt_str("email"); email && !email->empty() && *email != u.email)
    c.d.accounts.set_email_by_admin(u.id, *email);
  if (c.params.has("password")) c.d.accounts.reset_password(u.id, password_param(c));
  if (auto admin = c.opt_bool("adminRole")) c.d.accounts.set_role(u.id, *admin ? model::Role::admin : model::Role::user);
  return Node{};
}

Reply delete_user(Call& c) {
  c.require_admin();
  auto u = require_user(c);
  if (u.id == c.user.id) fail(Code::not_authorized, "You cannot delete yourself here");
  c.d.accounts.delete_by_admin(u.id);
  return Node{};
}

Reply change_password(Call& c) {
  // An app password sits in apps and their settings: it must never be enough to take the account.
  if (c.by_app_password) fail(Code::not_authorized, "Changing a password needs the account password, not an app password");
  auto u = own_or_admin(c);
  c.d.accounts.reset_password(u.id, password_param(c));
  return Node{};
}

}  // namespace

void add_user_methods(MethodTable& t) {
  t.push_back({"getUser", {get_user}});
  t.push_back({"getUsers", {get_users}});
  t.push_back({"createUser", {create_user}});
  t.push_back({"updateUser", {update_user}});
  t.push_back({"deleteUser", {delete_user}});
  t.push_back({"changePassword", {change_password}});
}

}  // namespace st::subsonic
