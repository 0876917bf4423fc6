#include "crypto/token_hash.hpp"

#include <array>

#include "lib/sodium/sodium.hpp"
#include "util/base64.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::crypto {

std::string new_opaque_token() {
  std::array<char, 32> b{};
  util::random_bytes(b.data(), b.size());
  return util::base64url_encode(std::string_view(b.data(), b.size()));
}

std::string token_digest(std::string_view token) {
  auto d = lib::sodium::blake2b_256(token);
  return util::to_hex(d.data(), d.size());
}

}  // namespace st::crypto
