#pragma once
// App passwords for Subsonic apps: created by the user (the secret is shown once), listed without their
// secrets, revoked at once. Kept encrypted under the server key, because token auth (t = md5(secret +
// salt)) needs the plain secret; found by a keyed digest when presented as an apiKey.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/app_password.hpp"

namespace st::auth {

struct CreatedAppPassword {
  model::AppPassword record;
  std::string secret;  // shown to the user once
};

struct SubsonicLogin {
  model::User user;
  std::optional<model::AppPassword> app_password;  // the one the credentials matched
};

class AppPasswords {
 public:
  // server_key: 32 random bytes kept by the instance (see app/services.cpp).
  AppPasswords(model::AppPasswordRepository& repo, std::string server_key);

  // name: 1-100 characters, trimmed; a user has at most 50 app passwords.
  CreatedAppPassword create(std::string_view user_id, std::string_view name);
  std::vector<model::AppPassword> list(std::string_view user_id);
  // 404 when the user has no such app password.
  void revoke(std::string_view user_id, std::string_view id);

  // A Subsonic login in one read: the account named `username` (nothing when there is none) and its app
  // password equal to `password`, if any (marked used).
  std::optional<SubsonicLogin> login_with_password(std::string_view username, std::string_view password);
  // ... and its app password for which md5(secret + salt) == token (hex, any case), if any (marked used).
  std::optional<SubsonicLogin> login_with_token(std::string_view username, std::string_view token,
                                                std::string_view salt);
  // The app password that is this apiKey, if any.
  std::optional<model::AppPassword> match_api_key(std::string_view key);

 private:
  std::string digest(std::string_view secret) const;
  std::optional<std::string> open(const model::AppPassword& p) const;
  void touch(const model::AppPassword& p);

  model::AppPasswordRepository& repo_;
  std::string key_;
};

}  // namespace st::auth
