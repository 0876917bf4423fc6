#include "api/dto.hpp"

#include "util/time.hpp"

namespace st::api {

json::object user_response(const model::User& u, std::string_view domain) {
  json::object o;
  o["id"] = u.id;
  o["username"] = u.username;
  o["email"] = u.email;
  o["display_name"] = nullable(u.display_name);
  o["avatar_url"] = nullable(u.avatar_url);
  o["role"] = model::to_string(u.role);
  o["instance_id"] = u.username + "@" + std::string(domain);
  return o;
}

json::object token_pair(const auth::TokenPair& p) {
  json::object o;
  o["access_token"] = p.access_token;
  o["refresh_token"] = p.refresh_token;
  o["token_type"] = "Bearer";
  o["expires_in"] = p.expires_in;
  return o;
}

json::object auth_response(const model::User& u, const auth::TokenPair& p, std::string_view domain) {
  json::object o;
  o["user"] = user_response(u, domain);
  o["tokens"] = token_pair(p);
  return o;
}

auth::NewAccount new_account(const json::object& body) {
  auth::NewAccount a;
  a.username = require_string(body, "username");
  a.email = require_string(body, "email");
  a.password = require_string(body, "password");
  a.display_name = optional_string(body, "display_name");
  return a;
}

json::object admin_user(const model::User& u) {
  json::object o;
  o["id"] = u.id;
  o["username"] = u.username;
  o["email"] = u.email;
  o["display_name"] = nullable(u.display_name);
  o["role"] = model::to_string(u.role);
  o["is_banned"] = u.is_banned;
  o["ban_reason"] = nullable(u.ban_reason);
  o["banned_at"] = u.banned_at ? json::value(util::to_rfc3339(*u.banned_at)) : json::value(nullptr);
  o["created_at"] = util::to_rfc3339(u.created_at);
  return o;
}

}  // namespace st::api
