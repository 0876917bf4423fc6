#include "themes/url_guard.hpp"

#include <gtest/gtest.h>

using namespace st::themes;

namespace {

Resolver fixed(std::vector<std::string> addrs, std::string* asked = nullptr) {
  return [addrs, asked](const std::string& host) {
    if (asked) *asked = host;
    return addrs;
  };
}

}  // namespace

TEST(ThemeUrlGuard, HttpsOnlyWithoutCredentials) {
  auto pub = fixed({"198.51.100.7"});
  EXPECT_EQ(check_git_url("https://git.example.org/a/theme.git", pub, false), "");
  EXPECT_EQ(check_git_url("HTTPS://git.example.org:8443/a", pub, false), "");
  EXPECT_NE(check_git_url("http://git.example.org/a", pub, false), "");
  EXPECT_NE(check_git_url("git://git.example.org/a", pub, false), "");
  EXPECT_NE(check_git_url("file:///etc", pub, false), "");
  EXPECT_NE(check_git_url("ssh://git@example.org/a", pub, false), "");
  EXPECT_NE(check_git_url("https://user:pw@git.example.org/a", pub, false), "");
  EXPECT_NE(check_git_url("https://git.example.org/a b", pub, false), "");
  EXPECT_NE(check_git_url("https://git.example.org:99999x/a", pub, false), "");
  EXPECT_NE(check_git_url("https:///a", pub, false), "");
  EXPECT_NE(check_git_url("", pub, false), "");
}

TEST(ThemeUrlGuard, RefusesLocalAndInternalLiterals) {
  auto pub = fixed({"198.51.100.7"});
  for (auto u : {"https://localhost/a", "https://LOCALHOST./a", "https://x.localhost/a", "https://127.0.0.1/a",
                 "https://127.1.2.3:8443/a", "https://10.0.0.1/a", "https://172.16.5.4/a", "https://192.168.1.1/a",
                 "https://169.254.169.254/latest", "https://100.64.0.1/a", "https://0.0.0.0/a", "https://[::1]/a",
                 "https://[fe80::1]/a", "https://[fd00::1]/a", "https://[::ffff:127.0.0.1]/a",
                 "https://[::ffff:10.1.2.3]/a", "https://metadata.google.internal/x", "https://metadata/x",
                 "https://printer.local/x"})
    EXPECT_NE(check_git_url(u, pub, false), "") << u;
}

TEST(ThemeUrlGuard, ChecksWhatANameResolvesTo) {
  std::string asked;
  EXPECT_EQ(check_git_url("https://Git.Example.org./a", fixed({"2001:db8::1", "198.51.100.7"}, &asked), false), "");
  EXPECT_EQ(asked, "git.example.org");
  EXPECT_NE(check_git_url("https://2130706433/a", fixed({"127.0.0.1"}), false), "");
  EXPECT_NE(check_git_url("https://rebind.example/a", fixed({"198.51.100.7", "10.0.0.5"}), false), "");
  EXPECT_NE(check_git_url("https://nowhere.example/a", fixed({}), false), "");
}

TEST(ThemeUrlGuard, TestOverrideAllowsPrivateHostsButStillHttpsOnly) {
  auto none = fixed({});
  EXPECT_EQ(check_git_url("https://127.0.0.1:4443/theme.git", none, true), "");
  EXPECT_NE(check_git_url("http://127.0.0.1:4443/theme.git", none, true), "");
}

TEST(ThemeUrlGuard, InternalAddresses) {
  for (auto a : {"127.0.0.1", "10.1.1.1", "::1", "::", "fe80::1%eth0", "ff02::1", "64:ff9b::a00:1", "224.0.0.1",
                 "255.255.255.255", "not an ip"})
    EXPECT_TRUE(internal_address(a)) << a;
  for (auto a : {"198.51.100.7", "8.8.8.8", "2001:db8::1", "64:ff9b::808:808"}) EXPECT_FALSE(internal_address(a)) << a;
}
