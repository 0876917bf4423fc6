#include <gtest/gtest.h>

#include "p2p/reach/address_scope.hpp"

namespace st::p2p {
namespace {

struct ReservedOff {
  ~ReservedOff() { set_reserved_scope_usable(false); }
};

TEST(AddressScopeV6, Ranges) {
  EXPECT_EQ(scope_of_ip("::1"), AddressScope::loopback);
  EXPECT_EQ(scope_of_ip("febf::1"), AddressScope::link_local);  // fe80::/10 ends at febf
  EXPECT_EQ(scope_of_ip("fec0::1"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("fc00::1"), AddressScope::private_net);  // unique local fc00::/7
  EXPECT_EQ(scope_of_ip("fdff::1"), AddressScope::private_net);
  EXPECT_EQ(scope_of_ip("fe00::1"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("ff02::1"), AddressScope::invalid);  // multicast
  EXPECT_EQ(scope_of_ip("::"), AddressScope::invalid);
  EXPECT_EQ(scope_of_ip("::ffff:127.0.0.1"), AddressScope::loopback);  // mapped: as IPv4
  EXPECT_EQ(scope_of_ip("::ffff:198.18.0.11"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("2a01:4f8::1"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("2001:db9::1"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("2001:db7:ffff::1"), AddressScope::global);
}

TEST(AddressScopeV6, DocumentationPrefixIsReservedOutsideALab) {
  ReservedOff restore;
  set_reserved_scope_usable(false);
  EXPECT_EQ(scope_of_ip("2001:db8::7"), AddressScope::reserved);
  EXPECT_EQ(scope_of_ip("[2001:db8:ffff::1]"), AddressScope::reserved);
  EXPECT_FALSE(scope_fits(AddressScope::reserved, AddressScope::global));
  EXPECT_FALSE(scope_fits(AddressScope::reserved, AddressScope::reserved));
  EXPECT_STREQ(scope_name(AddressScope::reserved), "reserved (documentation)");
  set_reserved_scope_usable(true);  // P2P_LAB_ALLOW_RESERVED: the lab's internet
  EXPECT_EQ(scope_of_ip("2001:db8::7"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("fd00::1"), AddressScope::private_net) << "only the documentation prefix changes";
}

TEST(AddressScopeV6, PrivateAndLinkLocalNeverGoToTheInternet) {
  EXPECT_FALSE(scope_fits(scope_of_ip("fd12::1"), scope_of_ip("2a01:4f8::1")));
  EXPECT_FALSE(scope_fits(scope_of_ip("fe80::1"), scope_of_ip("fd12::2")));
  EXPECT_FALSE(scope_fits(scope_of_ip("::1"), scope_of_ip("2a01:4f8::1")));
  EXPECT_TRUE(scope_fits(scope_of_ip("fd12::1"), scope_of_ip("fd12::2")));
  EXPECT_TRUE(scope_fits(scope_of_ip("2a01:4f8::1"), scope_of_ip("198.51.100.1")));
}

TEST(AddressScopeV6, HostOf) {
  EXPECT_EQ(host_of("[2001:DB8::0:1]:11204"), "2001:db8::1");
  EXPECT_EQ(host_of("[::ffff:10.0.0.1]:11204"), "10.0.0.1");
  EXPECT_FALSE(host_of("[fe80::1%eth0]:11204"));
  EXPECT_FALSE(host_of("fd00::1:11204"));
}

}  // namespace
}  // namespace st::p2p
