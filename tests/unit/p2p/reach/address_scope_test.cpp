#include "p2p/reach/address_scope.hpp"

#include <gtest/gtest.h>

namespace st::p2p {
namespace {

TEST(AddressScope, ClassifiesV4AndV6) {
  EXPECT_EQ(scope_of_ip("127.0.0.1"), AddressScope::loopback);
  EXPECT_EQ(scope_of_ip("10.0.1.2"), AddressScope::private_net);
  EXPECT_EQ(scope_of_ip("172.16.0.1"), AddressScope::private_net);
  EXPECT_EQ(scope_of_ip("172.32.0.1"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("192.168.1.10"), AddressScope::private_net);
  EXPECT_EQ(scope_of_ip("100.64.0.1"), AddressScope::shared_cgnat);
  EXPECT_EQ(scope_of_ip("100.128.0.1"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("169.254.3.4"), AddressScope::link_local);
  EXPECT_EQ(scope_of_ip("198.18.0.10"), AddressScope::global);  // benchmarking range: the lab's "internet"
  EXPECT_EQ(scope_of_ip("0.0.0.0"), AddressScope::invalid);
  EXPECT_EQ(scope_of_ip("239.1.2.3"), AddressScope::invalid);
  EXPECT_EQ(scope_of_ip("::1"), AddressScope::loopback);
  EXPECT_EQ(scope_of_ip("[::1]"), AddressScope::loopback);
  EXPECT_EQ(scope_of_ip("fe80::1"), AddressScope::link_local);
  EXPECT_EQ(scope_of_ip("fd00::5"), AddressScope::private_net);
  EXPECT_EQ(scope_of_ip("2001:db8::7"), AddressScope::reserved);  // documentation: a lab's only
  EXPECT_EQ(scope_of_ip("2a01:4f8::7"), AddressScope::global);
  EXPECT_EQ(scope_of_ip("::ffff:10.0.0.1"), AddressScope::private_net);
  EXPECT_EQ(scope_of_ip("example.org"), AddressScope::invalid);
  EXPECT_EQ(scope_of_ip(""), AddressScope::invalid);
}

TEST(AddressScope, HostOfHostPort) {
  EXPECT_EQ(host_of("1.2.3.4:11204"), "1.2.3.4");
  EXPECT_EQ(host_of("[2001:db8::1]:11204"), "2001:db8::1");
  EXPECT_EQ(host_of("music.example.org:11204"), "music.example.org");
  EXPECT_FALSE(host_of("2001:db8::1:11204"));  // v6 without brackets is ambiguous
  EXPECT_FALSE(host_of(":11204"));
  EXPECT_FALSE(host_of("[::1]"));
  EXPECT_FALSE(host_of(""));
}

TEST(AddressScope, PrivateAddressesNeverGoToTheInternet) {
  EXPECT_TRUE(scope_fits(AddressScope::global, AddressScope::global));
  EXPECT_FALSE(scope_fits(AddressScope::private_net, AddressScope::global));
  EXPECT_FALSE(scope_fits(AddressScope::loopback, AddressScope::global));
  EXPECT_FALSE(scope_fits(AddressScope::loopback, AddressScope::private_net));
  EXPECT_TRUE(scope_fits(AddressScope::loopback, AddressScope::loopback));
  EXPECT_TRUE(scope_fits(AddressScope::private_net, AddressScope::private_net));
  EXPECT_FALSE(scope_fits(AddressScope::link_local, AddressScope::private_net));
  EXPECT_FALSE(scope_fits(AddressScope::invalid, AddressScope::loopback));
}

}  // namespace
}  // namespace st::p2p
