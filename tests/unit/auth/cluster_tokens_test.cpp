// Tokens between the nodes of a cluster: bound to a purpose and a subject, one minute long, never an
// access token (and no access token is one of them).
#include "auth/cluster_tokens.hpp"

#include <gtest/gtest.h>

#include "crypto/jwt.hpp"

using st::auth::ClusterTokens;

TEST(ClusterTokens, OpenOnlyWhatTheyWereMintedForAndOnlyForAMinute) {
  ClusterTokens tokens("cluster-secret-0123456789abcdef");
  const std::string hash(64, 'a');
  const std::int64_t now = 1'800'000'000;
  auto t = tokens.mint("replica", hash, now);
  EXPECT_TRUE(tokens.check(t, "replica", hash, now));
  EXPECT_TRUE(tokens.check(t, "replica", hash, now + 59));
  EXPECT_FALSE(tokens.check(t, "replica", std::string(64, 'b'), now)) << "another subject";
  EXPECT_FALSE(tokens.check(t, "cover", hash, now)) << "another purpose";
  EXPECT_FALSE(tokens.check(t, "replica", hash, now + 3600)) << "expired";
  EXPECT_FALSE(ClusterTokens("another-secret-0123456789abcdef").check(t, "replica", hash, now)) << "another cluster";
  std::string tampered = t;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(tokens.check(tampered, "replica", hash, now));

  // An access token with the subject is refused, and a cluster token is no access token.
  st::crypto::JwtClaims access;
  access.sub = hash;
  access.token_type = "access";
  access.iat = now;
  access.exp = now + 60;
  EXPECT_FALSE(tokens.check(st::crypto::jwt_sign(access, "cluster-secret-0123456789abcdef"), "replica", hash, now));
  auto claims = st::crypto::jwt_verify(t, "cluster-secret-0123456789abcdef", now).claims;
  ASSERT_TRUE(claims);
  EXPECT_NE(claims->token_type, "access");
  // A long-lived token of the right type (minted elsewhere with the secret) is refused too.
  st::crypto::JwtClaims longer = access;
  longer.token_type = "cluster:replica";
  longer.exp = now + 86400;
  EXPECT_FALSE(tokens.check(st::crypto::jwt_sign(longer, "cluster-secret-0123456789abcdef"), "replica", hash, now));
}
