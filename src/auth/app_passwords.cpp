#include "auth/app_passwords.hpp"

#include <stdexcept>

#include "crypto/md5.hpp"
#include "crypto/secret_box.hpp"
#include "model/errors.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"
#include "util/uuid.hpp"

namespace st::auth {

namespace {

constexpr std::size_t kMaxPerUser = 50;

// 20 characters of [a-z2-9] minus look-alikes, in groups of five: easy to type into a phone app,
// about 100 bits.
std::string new_secret() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";  // 31 symbols
  std::string out;
  unsigned char bytes[64];
  while (out.size() < 23) {
    util::random_bytes(bytes, sizeof bytes);
    for (unsigned char b : bytes) {
      if (b >= 31 * 8) continue;  // rejection sampling keeps the symbols uniform
      if (out.size() % 6 == 5) out.push_back('-');
      out.push_back(kAlphabet[b % 31]);
      if (out.size() == 23) break;
    }
  }
  return out;
}

}  // namespace

AppPasswords::AppPasswords(model::AppPasswordRepository& repo, std::string server_key)
    : repo_(repo), key_(std::move(server_key)) {
  if (key_.size() != 32) throw std::invalid_argument("the app password key must be 32 bytes");
}

std::string AppPasswords::digest(std::string_view secret) const {
  return crypto::keyed_digest(key_, secret);
}

std::optional<std::string> AppPasswords::open(const model::AppPassword& p) const {
  return crypto::open_sealed(key_, p.secret_box);
}

void AppPasswords::touch(const model::AppPassword& p) {
  auto now = util::now_micros();
  // One write a minute at most per password: apps authenticate on every request.
  if (!p.last_used_at || now - *p.last_used_at > 60'000'000) repo_.touch(p.id, now);
}

CreatedAppPassword AppPasswords::create(std::string_view user_id, std::string_view raw_name) {
  auto name = std::string(util::trim(raw_name));
  if (name.empty() || name.size() > 100) model::throw_bad_request("name must be 1 to 100 characters");
  if (repo_.list_by_user(user_id).size() >= kMaxPerUser)
    model::throw_bad_request("You have too many app passwords; revoke one first");
  auto secret = new_secret();
  model::AppPassword p;
  p.id = util::new_uuid();
  p.user_id = std::string(user_id);
  p.name = std::move(name);
  p.secret_box = crypto::seal(key_, secret);
  p.lookup_digest = digest(secret);
  p.created_at = util::now_micros();
  repo_.create(p);
  return {std::move(p), std::move(secret)};
}

std::vector<model::AppPassword> AppPasswords::list(std::string_view user_id) { return repo_.list_by_user(user_id); }

void AppPasswords::revoke(std::string_view user_id, std::string_view id) {
  if (!util::is_uuid(id) || !repo_.remove(user_id, id)) model::throw_not_found("App password not found");
}

std::optional<SubsonicLogin> AppPasswords::login_with_password(std::string_view username,
                                                              std::string_view password) {
  auto found = repo_.find_login(username, digest(password));
  if (!found) return std::nullopt;
  SubsonicLogin login{std::move(found->user), std::nullopt};
  if (!found->app_passwords.empty()) {
    login.app_password = std::move(found->app_passwords.front());
    touch(*login.app_password);
  }
  return login;
}

std::optional<SubsonicLogin> AppPasswords::login_with_token(std::string_view username, std::string_view token,
                                                           std::string_view salt) {
  auto found = repo_.find_login(username, std::nullopt);
  if (!found) return std::nullopt;
  SubsonicLogin login{std::move(found->user), std::nullopt};
  if (token.size() != 32 || salt.empty()) return login;
  auto wanted = util::to_lower(token);
  for (auto& p : found->app_passwords) {
    auto secret = open(p);
    if (!secret) continue;  // sealed under another key: unusable, never a match
    auto got = crypto::md5_hex(*secret + std::string(salt));
    if (crypto::equal_constant_time(got, wanted)) {
      touch(p);
      login.app_password = std::move(p);
      break;
    }
  }
  return login;
}

std::optional<model::AppPassword> AppPasswords::match_api_key(std::string_view key) {
  if (key.empty() || key.size() > 200) return std::nullopt;
  auto found = repo_.find_by_digest(digest(key));
  if (found) touch(*found);
  return found;
}

}  // namespace st::auth
