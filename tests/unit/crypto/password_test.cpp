#include <gtest/gtest.h>

#include "crypto/password.hpp"
#include "crypto/token_hash.hpp"
#include "lib/sodium/sodium.hpp"

using namespace st::crypto;

TEST(Password, HashIsArgon2idAndVerifies) {
  st::lib::sodium::init();
  auto h = hash_password("correct horse battery");
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "correct horse battery"));
  EXPECT_FALSE(verify_password(h, "correct horse batterY"));
  EXPECT_FALSE(verify_password("not a hash", "x"));
  EXPECT_FALSE(verify_password(dummy_password_hash(), ""));
  EXPECT_NE(hash_password("same"), hash_password("same"));  // salted
}

TEST(OpaqueToken, RandomAndDigestIsStable) {
  st::lib::sodium::init();
  auto a = new_opaque_token();
  auto b = new_opaque_token();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(token_digest(a), token_digest(a));
  EXPECT_NE(token_digest(a), token_digest(b));
  EXPECT_EQ(token_digest(a).size(), 64u);
}
