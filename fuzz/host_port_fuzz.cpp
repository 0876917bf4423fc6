// "host:port" from strangers (records' addr=, PEX, seeds): never crashes, and what parses formats back to
// text that parses to the same address (one canonical spelling).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/reach/address_scope.hpp"
#include "util/host_port.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto a = st::util::parse_host_port(text, &why);
  if (!a) {
    if (why.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  auto again = st::util::parse_host_port(st::util::format_host_port(a->host, a->port));
  if (!again || again->host != a->host || again->port != a->port) std::abort();
  (void)st::p2p::scope_of_ip(a->host);
  (void)st::util::canonical_ip(text);
  return 0;
}
