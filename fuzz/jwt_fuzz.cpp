// Bearer tokens from the network: verification never crashes and never accepts a token that was not
// signed with the secret (the fuzzer does not know it).
#include <cstdint>
#include <string>

#include "crypto/jwt.hpp"
#include "lib/sodium/sodium.hpp"
#include "util/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bool init = (st::lib::sodium::init(), true);
  (void)init;
  std::string token(reinterpret_cast<const char*>(data), size);
  auto r = st::crypto::jwt_verify(token, "fuzz-secret-fuzz-secret-fuzz-secret", 1'700'000'000);
  if (r.claims) __builtin_trap();
  if (auto d = st::util::base64url_decode(token)) {
    if (st::util::base64url_encode(*d) != token) __builtin_trap();
  }
  return 0;
}
