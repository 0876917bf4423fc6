#include "auth/subsonic_auth.hpp"

#include <fmt/format.h>

#include "crypto/password.hpp"
#include "crypto/secret_box.hpp"
#include "util/strings.hpp"

namespace st::auth {

namespace {

constexpr auto kRemember = std::chrono::minutes(10);
constexpr std::size_t kMaxRemembered = 10'000;

std::string remember_digest(const model::User& u, std::string_view password) {
  return crypto::digest_hex(u.password_hash + '\0' + std::string(password));
}

bool present(const std::optional<std::string>& s) { return s && !s->empty(); }

}  // namespace

std::optional<std::string> decode_subsonic_password(std::string_view p) {
  if (p.rfind("enc:", 0) != 0) return std::string(p);
  return util::from_hex(p.substr(4));
}

SubsonicAuthenticator::SubsonicAuthenticator(model::UserRepository& users, AppPasswords& apps, double failure_burst,
                                             std::chrono::milliseconds failure_refill)
    : users_(users), apps_(apps), slow_checks_(10, std::chrono::seconds(3)), failures_(failure_burst, failure_refill) {}

void SubsonicAuthenticator::refuse_if_limited(std::string_view client) {
  if (auto d = failures_.peek(client); !d.allowed)
    throw SubsonicAuthError(40, fmt::format("Too many attempts. Try again in {} s.", d.retry_after_seconds));
}

void SubsonicAuthenticator::take_slow_check(std::string_view client) {
  if (auto d = slow_checks_.take(client); !d.allowed)
    throw SubsonicAuthError(40, fmt::format("Too many attempts. Try again in {} s.", d.retry_after_seconds));
}

bool SubsonicAuthenticator::account_password_ok(const model::User& u, std::string_view password,
                                                std::string_view client) {
  auto digest = remember_digest(u, password);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = verified_.find(u.id);
    if (it != verified_.end() && it->second.until > now &&
        crypto::equal_constant_time(it->second.digest, digest))
      return true;
  }
  take_slow_check(client);
  if (!crypto::verify_password(u.password_hash, password)) return false;
  std::lock_guard lock(mu_);
  if (verified_.size() >= kMaxRemembered) verified_.clear();
  verified_[u.id] = Verified{digest, now + kRemember};
  return true;
}

SubsonicIdentity SubsonicAuthenticator::authenticate(const SubsonicCredentials& c, std::string_view client) {
  try {
    return check(c, client);
  } catch (const SubsonicAuthError& e) {
    // Wrong credentials count against the client; a missing parameter or a banned account does not.
    if (e.code() == 40 || e.code() == 44) failures_.take(client);
    throw;
  }
}

SubsonicIdentity SubsonicAuthenticator::check(const SubsonicCredentials& c, std::string_view client) {
  bool has_password = present(c.password), has_token = present(c.token) || present(c.salt);
  if (present(c.api_key)) {
    if (present(c.username) || has_password || has_token)
      throw SubsonicAuthError(43, "Multiple conflicting authentication mechanisms provided");
    refuse_if_limited(client);
    auto app = apps_.match_api_key(*c.api_key);
    if (!app) throw SubsonicAuthError(44, "Invalid API key");
    auto user = users_.find_by_id(app->user_id);
    if (!user) throw SubsonicAuthError(44, "Invalid API key");
    if (user->is_banned) throw SubsonicAuthError(50, "This account is banned");
    return {std::move(*user), app->id};
  }
  if (!present(c.username)) throw SubsonicAuthError(10, "Required parameter is missing: u (or apiKey)");
  if (has_password && has_token) throw SubsonicAuthError(43, "Multiple conflicting authentication mechanisms provided");
  if (!has_password && !has_token) throw SubsonicAuthError(10, "Required parameter is missing: p, t and s, or apiKey");
  if (has_token && (!present(c.token) || !present(c.salt)))
    throw SubsonicAuthError(10, "Token authentication needs both t and s");
  refuse_if_limited(client);

  // The account and its app passwords in one read; a user without app passwords gets the same answer to a
  // token as an unknown one: a different code would tell which names exist.
  std::optional<SubsonicLogin> login;
  std::string password;
  if (has_token) {
    login = apps_.login_with_token(*c.username, *c.token, *c.salt);
  } else {
    auto decoded = decode_subsonic_password(*c.password);
    if (!decoded) throw SubsonicAuthError(40, "Wrong username or password");
    password = std::move(*decoded);
    login = apps_.login_with_password(*c.username, password);
    if (!login) {
      // The same work as for a real account: timing does not tell which names exist.
      take_slow_check(client);
      crypto::verify_password(crypto::dummy_password_hash(), password);
    }
  }
  // An app password matched, or (with a password, never a token) the account's own.
  bool ok = login && (login->app_password || (!has_token && account_password_ok(login->user, password, client)));
  if (!ok) throw SubsonicAuthError(40, "Wrong username or password");
  if (login->user.is_banned) throw SubsonicAuthError(50, "This account is banned");
  std::optional<std::string> app_id;
  if (login->app_password) app_id = std::move(login->app_password->id);
  return {std::move(login->user), std::move(app_id)};
}

}  // namespace st::auth
