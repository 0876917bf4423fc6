#include "crypto/secret_box.hpp"

#include "lib/sodium/sodium.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace st::crypto {

std::string seal(std::string_view key, std::string_view plaintext) {
  return util::base64url_encode(lib::sodium::secretbox_seal(key, plaintext));
}

std::optional<std::string> open_sealed(std::string_view key, std::string_view sealed) {
  auto bytes = util::base64url_decode(sealed);
  if (!bytes) return std::nullopt;
  return lib::sodium::secretbox_open(key, *bytes);
}

std::string keyed_digest(std::string_view key, std::string_view data) {
  auto mac = lib::sodium::hmac_sha256(key, data);
  return util::to_hex(mac.data(), mac.size());
}

std::string digest_hex(std::string_view data) {
  auto d = lib::sodium::blake2b_256(data);
  return util::to_hex(d.data(), d.size());
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return lib::sodium::equal_constant_time(a.data(), b.data(), a.size(), b.size());
}

}  // namespace st::crypto
