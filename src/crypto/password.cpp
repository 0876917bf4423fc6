#include "crypto/password.hpp"

#include "lib/sodium/sodium.hpp"

namespace st::crypto {

namespace {
constexpr lib::sodium::PwhashLimits kLimits{2, 19u * 1024u * 1024u};
}

std::string hash_password(std::string_view password) { return lib::sodium::argon2id_hash(password, kLimits); }

bool verify_password(std::string_view phc, std::string_view password) {
  return lib::sodium::argon2id_verify(phc, password);
}

const std::string& dummy_password_hash() {
  static const std::string h = hash_password("soundtime-dummy-password-never-valid");
  return h;
}

}  // namespace st::crypto
