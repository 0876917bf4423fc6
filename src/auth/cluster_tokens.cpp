#include "auth/cluster_tokens.hpp"

#include "crypto/jwt.hpp"

namespace st::auth {

namespace {

std::string type_of(std::string_view purpose) { return "cluster:" + std::string(purpose); }

}  // namespace

std::string ClusterTokens::mint(std::string_view purpose, std::string_view subject, std::int64_t now) const {
  crypto::JwtClaims c;
  c.sub = std::string(subject);
  c.token_type = type_of(purpose);
  c.iat = now;
  c.exp = now + kLifetimeSeconds;
  return crypto::jwt_sign(c, secret_);
}

bool ClusterTokens::check(std::string_view token, std::string_view purpose, std::string_view subject,
                          std::int64_t now) const {
  auto r = crypto::jwt_verify(token, secret_, now);
  return r.claims && r.claims->token_type == type_of(purpose) && r.claims->sub == subject &&
         r.claims->exp - r.claims->iat <= kLifetimeSeconds;
}

}  // namespace st::auth
