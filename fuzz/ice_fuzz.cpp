// ICE descriptions arrive from strangers through the rendezvous signal. Nothing may crash; whatever is
// accepted must respect the limits and survive an encode/decode round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/transport/ice/ice_session.hpp"

using namespace st::p2p::ice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto d = decode_description(in, why)) {
    if (d->candidates.size() > kMaxCandidates || size > kMaxDescriptionBytes) std::abort();
    auto again = decode_description(encode_description(*d), why);
    if (!again || again->ufrag != d->ufrag || again->pwd != d->pwd || again->candidates != d->candidates) std::abort();
  } else if (why.empty()) {
    std::abort();
  }
  (void)valid_candidate(in, why);
  return 0;
}
