#pragma once
// HS256 JSON Web Tokens of our own making: the algorithm is pinned (a header naming anything but HS256
// is refused, `none` included), the signature compare is constant-time, `exp` and `iat` are checked.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::crypto {

struct JwtClaims {
  std::string sub;         // user id
  std::string username;
  std::string role;        // "admin" | "user"
  std::string token_type;  // "access" (refresh tokens are opaque, not JWTs)
  std::string sid;         // session (refresh-token family) this access token belongs to
  std::int64_t iat = 0;
  std::int64_t exp = 0;
};

enum class JwtError { malformed, bad_algorithm, bad_signature, expired, issued_in_future };

struct JwtResult {
  std::optional<JwtClaims> claims;
  JwtError error = JwtError::malformed;
};

std::string jwt_sign(const JwtClaims& claims, std::string_view secret);

// now and leeway in seconds; leeway tolerates clock skew between instances behind one load balancer.
JwtResult jwt_verify(std::string_view token, std::string_view secret, std::int64_t now, std::int64_t leeway = 5);

}  // namespace st::crypto
