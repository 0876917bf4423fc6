// What a stranger's UDP datagram reaches: bencode and the KRPC parser. Nothing may crash; a decoded
// value must re-encode and decode to the same canonical bytes; a parsed message obeys the caps.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/dht/bencode.hpp"
#include "p2p/dht/krpc.hpp"

using namespace st::p2p::dht;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto v = bdecode(in, why)) {
    auto canonical = bencode(*v);
    DecodeLimits loose;
    loose.max_bytes = canonical.size();
    auto again = bdecode(canonical, why, loose);
    if (!again || bencode(*again) != canonical) std::abort();
  }
  if (auto m = parse_krpc(in, why)) {
    if (m->tid.empty() || m->nodes.size() > kMaxNodesPerReply || m->nodes6.size() > kMaxNodesPerReply) std::abort();
    for (const auto& n : m->nodes)
      if (n.endpoint.port == 0 || n.endpoint.ip.empty()) std::abort();
  }
  return 0;
}
