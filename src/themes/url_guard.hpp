#pragma once
// Which git URLs a theme may be cloned from: HTTPS only, no credentials in the URL, and (unless tests allow
// it) no host that is, or resolves to, a loopback, private, link-local or otherwise internal address, nor a
// cloud metadata host. Keeps an admin's form from being turned against the server's own network.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace st::themes {

// The addresses a host name resolves to (numeric strings), empty when it does not resolve.
using Resolver = std::function<std::vector<std::string>(const std::string& host)>;

// "" when url may be cloned; otherwise why not. resolver is asked for names (not for IP literals).
std::string check_git_url(std::string_view url, const Resolver& resolver, bool allow_private_hosts);

// True for addresses a theme must never be fetched from (loopback, private, link-local, unspecified,
// multicast, CGNAT, IPv4-mapped forms of these...). Unparsable text counts as internal.
bool internal_address(std::string_view numeric);

}  // namespace st::themes
