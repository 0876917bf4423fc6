#include <gtest/gtest.h>

#include "crypto/jwt.hpp"
#include "lib/sodium/sodium.hpp"
#include "util/base64.hpp"

using namespace st::crypto;

namespace {
const std::string kSecret = "0123456789abcdef0123456789abcdef-test";

JwtClaims claims(std::int64_t iat, std::int64_t exp) {
  JwtClaims c;
  c.sub = "11111111-2222-4333-8444-555555555555";
  c.username = "alice";
  c.role = "user";
  c.token_type = "access";
  c.sid = "s1";
  c.iat = iat;
  c.exp = exp;
  return c;
}

std::string part(const std::string& tok, int i) {
  auto a = tok.find('.');
  auto b = tok.find('.', a + 1);
  if (i == 0) return tok.substr(0, a);
  if (i == 1) return tok.substr(a + 1, b - a - 1);
  return tok.substr(b + 1);
}
}  // namespace

class Jwt : public ::testing::Test {
 protected:
  void SetUp() override { st::lib::sodium::init(); }
};

TEST_F(Jwt, SignedTokenVerifiesWithItsClaims) {
  auto t = jwt_sign(claims(1000, 1900), kSecret);
  auto r = jwt_verify(t, kSecret, 1500);
  ASSERT_TRUE(r.claims);
  EXPECT_EQ(r.claims->sub, "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(r.claims->username, "alice");
  EXPECT_EQ(r.claims->sid, "s1");
  EXPECT_EQ(r.claims->exp, 1900);
}

TEST_F(Jwt, ExpiredAndFutureTokensAreRefused) {
  auto t = jwt_sign(claims(1000, 1900), kSecret);
  EXPECT_EQ(jwt_verify(t, kSecret, 1905, 5).error, JwtError::expired);
  EXPECT_FALSE(jwt_verify(t, kSecret, 1905, 5).claims);
  EXPECT_TRUE(jwt_verify(t, kSecret, 1899, 5).claims);
  EXPECT_EQ(jwt_verify(t, kSecret, 900, 5).error, JwtError::issued_in_future);
}

TEST_F(Jwt, WrongSecretIsABadSignature) {
  auto t = jwt_sign(claims(1000, 1900), kSecret);
  EXPECT_EQ(jwt_verify(t, "another-secret-another-secret-xx", 1500).error, JwtError::bad_signature);
}

TEST_F(Jwt, AlgNoneIsRefusedEvenWithoutSignature) {
  auto t = jwt_sign(claims(1000, 1900), kSecret);
  std::string none = st::util::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + part(t, 1) + ".";
  auto r = jwt_verify(none, kSecret, 1500);
  EXPECT_FALSE(r.claims);
  EXPECT_EQ(r.error, JwtError::bad_algorithm);
  std::string hs512 = st::util::base64url_encode(R"({"alg":"HS512","typ":"JWT"})") + "." + part(t, 1) + "." + part(t, 2);
  EXPECT_EQ(jwt_verify(hs512, kSecret, 1500).error, JwtError::bad_algorithm);
}

TEST_F(Jwt, ModifiedPayloadIsRefused) {
  auto t = jwt_sign(claims(1000, 1900), kSecret);
  auto admin = claims(1000, 1900);
  admin.role = "admin";
  auto forged = jwt_sign(admin, "attacker-secret-attacker-secret-x");
  std::string spliced = part(t, 0) + "." + part(forged, 1) + "." + part(t, 2);
  EXPECT_EQ(jwt_verify(spliced, kSecret, 1500).error, JwtError::bad_signature);
}

TEST_F(Jwt, MalformedTokensAreRefused) {
  for (std::string bad : {"", "abc", "a.b", "a.b.c.d", "!!.??.**", ".."}) {
    EXPECT_FALSE(jwt_verify(bad, kSecret, 1500).claims) << bad;
  }
  auto t = jwt_sign(claims(1000, 1900), kSecret);
  EXPECT_FALSE(jwt_verify(t + "x", kSecret, 1500).claims);
}
