#pragma once
// App passwords: per-user secrets for Subsonic apps, revocable one by one. The account password stays
// Argon2id-only; these are what token auth (md5 of secret + salt) and apiKey work with.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/user.hpp"
#include "util/time.hpp"

namespace st::model {

struct AppPassword {
  std::string id;
  std::string user_id;
  std::string name;
  std::string secret_box;     // the secret, encrypted with the server key (base64)
  std::string lookup_digest;  // keyed digest of the secret: finds the owner of an apiKey
  util::Micros created_at = 0;
  std::optional<util::Micros> last_used_at;
};

// An account as a Subsonic login needs it: the user and the app passwords that may match.
struct AccountLogin {
  User user;
  std::vector<AppPassword> app_passwords;
};

class AppPasswordRepository {
 public:
  virtual ~AppPasswordRepository() = default;
  virtual void create(const AppPassword& p) = 0;
  virtual std::vector<AppPassword> list_by_user(std::string_view user_id) = 0;
  virtual std::optional<AppPassword> find_by_digest(std::string_view lookup_digest) = 0;
  // The account named `username` (any case) with its app passwords, or only the one whose digest is
  // `lookup_digest` when given: a Subsonic login in one read. Nothing for an unknown name.
  virtual std::optional<AccountLogin> find_login(std::string_view username,
                                                 std::optional<std::string> lookup_digest) = 0;
  // False when no such password belongs to the user.
  virtual bool remove(std::string_view user_id, std::string_view id) = 0;
  virtual void touch(std::string_view id, util::Micros now) = 0;
};

}  // namespace st::model
