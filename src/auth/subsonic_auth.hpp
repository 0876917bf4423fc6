#pragma once
// Who is calling a Subsonic endpoint: u+p (account password, plain or "enc:" hex, or an app password),
// u+t+s (token auth, app passwords only: the account password is stored as Argon2id and never
// recoverable), or apiKey (an app password alone). Failures carry the Subsonic error code.
#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/app_passwords.hpp"
#include "auth/rate_limiter.hpp"
#include "model/user.hpp"

namespace st::auth {

struct SubsonicCredentials {
  std::optional<std::string> username;  // u
  std::optional<std::string> password;  // p
  std::optional<std::string> token;     // t
  std::optional<std::string> salt;      // s
  std::optional<std::string> api_key;   // apiKey
};

// A Subsonic password parameter, plain or "enc:" + hex; nothing for malformed hex.
std::optional<std::string> decode_subsonic_password(std::string_view p);

class SubsonicAuthError : public std::runtime_error {
 public:
  SubsonicAuthError(int code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

struct SubsonicIdentity {
  model::User user;
  std::optional<std::string> app_password_id;  // when an app password was used
};

class SubsonicAuthenticator {
 public:
  // failure_burst, failure_refill: failed logins allowed per client before every login from it is refused
  // for a while, as for REST logins (AUTH_RATE_LIMIT_BURST, AUTH_RATE_LIMIT_REFILL_SECONDS).
  SubsonicAuthenticator(model::UserRepository& users, AppPasswords& apps, double failure_burst = 10,
                        std::chrono::milliseconds failure_refill = std::chrono::seconds(6));

  // client: the caller's address, to slow down password guessing (failed logins and Argon2id checks are
  // rate limited per client). An unknown user and a wrong password get the same answer (40).
  SubsonicIdentity authenticate(const SubsonicCredentials& c, std::string_view client);
  // Several nodes on one database: failed logins are counted in one bucket per client for them all (a
  // guesser alternating between nodes gets no more tries). The Argon2id check limit stays per node: it
  // guards this node's CPU. Set before serving.
  void share_failures(model::RateBuckets* store) { failures_.share(store, "subsonic-failures"); }

 private:
  SubsonicIdentity check(const SubsonicCredentials& c, std::string_view client);
  void refuse_if_limited(std::string_view client);
  void take_slow_check(std::string_view client);  // one password hash's worth of this client's budget
  bool account_password_ok(const model::User& u, std::string_view password, std::string_view client);

  model::UserRepository& users_;
  AppPasswords& apps_;
  RateLimiter slow_checks_;
  RateLimiter failures_;
  // Apps send u+p on every request; a verified (user, password) is remembered for a while so that
  // each request does not cost an Argon2id hash. Keyed by user id; a password change misses.
  struct Verified {
    std::string digest;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Verified> verified_;
};

}  // namespace st::auth
