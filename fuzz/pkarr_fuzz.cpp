// What a DHT node or a pkarr relay hands back for a key: the DNS packet of a record and a relay body.
// Nothing may crash; an accepted relay body must verify; decoded records obey the caps.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/dht/pkarr.hpp"

using namespace st::p2p::dht;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  PublicKey key{};
  // The key is the one in the test vectors' z32 name when the input is long enough to choose it.
  if (size >= 32) {
    for (std::size_t i = 0; i < 32; ++i) key[i] = data[i];
  }
  std::string why;
  if (auto r = decode_node_record(key, in, why)) {
    if (r->addresses.size() > 16 || r->rendezvous.size() > 16 || r->turn.size() > 16) std::abort();
  }
  if (size >= 32) {
    if (auto r = decode_node_record(key, in.substr(32), why))
      if (r->addresses.size() > 16) std::abort();
  }
  if (auto p = parse_relay_body(key, in, why)) {
    if (!check_packet(*p).empty()) std::abort();
  }
  (void)z32_decode(in);
  return 0;
}
