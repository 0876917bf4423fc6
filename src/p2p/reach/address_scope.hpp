#pragma once
// Where an address can be used from: a node never publishes an address outside the scope it works in
// (its loopback address to the world, its home's 10.x to a peer on the internet).
#include <optional>
#include <string>
#include <string_view>

namespace st::p2p {

// reserved: the IPv6 documentation prefix 2001:db8::/32, which never routes on the internet (a lab's).
enum class AddressScope { loopback, link_local, private_net, shared_cgnat, global, reserved, invalid };

// The scope of an IPv4 or IPv6 literal (IPv4-mapped IPv6 counts as IPv4). Names are `invalid`.
AddressScope scope_of_ip(std::string_view ip);
// The host part of "host:port" / "[v6]:port" (brackets removed); nothing when malformed.
std::optional<std::string> host_of(std::string_view host_port);
// Whether an address of scope `a` may be told to (or dialled for) a peer seen from scope `peer`: global
// addresses to anyone; a loopback address only to a peer on loopback; a private or CGNAT one only to a peer
// that reached us from a private, CGNAT or loopback address (the same LAN, as far as we can tell).
bool scope_fits(AddressScope a, AddressScope peer);
const char* scope_name(AddressScope s);
// Lab networks (P2P_LAB_ALLOW_RESERVED) use 2001:db8::/32 as their internet: then it counts as global.
// Process-wide, set once at start by the composition root (it is a property of the network, not of a node).
void set_reserved_scope_usable(bool usable);

}  // namespace st::p2p
