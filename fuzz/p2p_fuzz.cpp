// What a peer sends us: the byte stream is split into frames, each payload is decoded as a message (and
// as an error body), and the tail is tried as a verified range (proof + data) against a fixed root.
// Device sync bodies are decoded too. Nothing may crash, and a decoded message must re-encode to
// something that decodes again.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "crypto/blake3.hpp"
#include "crypto/blake3_range.hpp"
#include "p2p/device_sync.hpp"
#include "p2p/protocol/frame.hpp"
#include "p2p/protocol/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  st::p2p::FrameReader reader(1 << 16);
  reader.feed(data, size);
  st::p2p::DecodeLimits lim;
  lim.max_tracks = 50;
  while (auto f = reader.next()) {
    auto d = st::p2p::decode_message(f->payload, lim);
    if (d.message) {
      auto again = st::p2p::decode_message(st::p2p::encode_message(*d.message));
      if (!again.message) std::abort();
    }
    (void)st::p2p::decode_protocol_error(f->payload);
    if (st::p2p::is_device_sync(f->payload)) {
      try {
        auto m = st::p2p::decode_device_sync(f->payload, 1 << 16);
        (void)st::p2p::decode_device_sync(st::p2p::encode_device_sync(m), 1 << 22);  // must decode again
      } catch (const std::invalid_argument&) {
      }
    }
  }
  (void)st::p2p::decode_message(std::string_view(reinterpret_cast<const char*>(data), size), lim);
  if (size >= 2) {
    static const auto root = st::crypto::blake3(std::string(100000, 'x'));
    std::uint64_t first = data[0] % 8, end = first + 1 + data[1] % 3;
    std::size_t split = size > 2 ? (data[2] * 64u) % (size - 2) : 0;
    (void)st::crypto::blake3_verify_range(root, 100000, first, end, data + 2, split, data + 2 + split, size - 2 - split);
  }
  return 0;
}
