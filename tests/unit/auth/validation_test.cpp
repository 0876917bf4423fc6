#include <gtest/gtest.h>

#include "auth/validation.hpp"

using namespace st::auth;

TEST(Validation, Usernames) {
  EXPECT_FALSE(check_username("bob"));
  EXPECT_FALSE(check_username("Zoë_99"));
  EXPECT_TRUE(check_username("ab"));
  EXPECT_TRUE(check_username(std::string(65, 'a')));
  EXPECT_TRUE(check_username("a b c"));
  EXPECT_TRUE(check_username("me@host"));
  EXPECT_TRUE(check_username("a/b"));
  EXPECT_TRUE(check_username("tab\there"));
}

TEST(Validation, Emails) {
  EXPECT_FALSE(check_email("a@b.co"));
  EXPECT_TRUE(check_email("ab.co"));
  EXPECT_TRUE(check_email("@b.co"));
  EXPECT_TRUE(check_email("a@"));
  EXPECT_TRUE(check_email("a@b"));
  EXPECT_TRUE(check_email("a@.co"));
  EXPECT_TRUE(check_email("a@b@c.co"));
  EXPECT_TRUE(check_email("a b@c.co"));
}

TEST(Validation, Passwords) {
  EXPECT_TRUE(check_password("1234567"));
  EXPECT_FALSE(check_password("12345678"));
  EXPECT_FALSE(check_password(std::string(1024, 'x')));
  EXPECT_TRUE(check_password(std::string(1025, 'x')));
}
