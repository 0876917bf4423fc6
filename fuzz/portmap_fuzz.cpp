// The PCP and NAT-PMP parsers: whatever a stranger on the LAN sends to our port-mapping socket must be
// rejected or accepted without a crash, and anything accepted must survive a re-encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "p2p/portmap/natpmp_codec.hpp"
#include "p2p/portmap/pcp_codec.hpp"

using namespace st::p2p::portmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string why;

  PcpMapRequest sent;
  sent.lifetime = 600;
  sent.internal_port = 11204;
  sent.external_port = 11204;
  if (size >= 36) {  // let the input match the nonce sometimes, so the deeper checks run
    for (std::size_t i = 0; i < 12; ++i) sent.nonce[i] = data[24 + i];
  }
  PcpMapResponse out;
  auto c = check_pcp_response(in, sent, &out);
  if (c.verdict == PcpVerdict::mapped) {
    if (out.nonce != sent.nonce || out.external_port == 0) std::abort();
  }
  if (auto r = decode_pcp_map_response(in, &why)) {
    std::string again = encode_pcp_map_response(*r);
    auto r2 = decode_pcp_map_response(again, &why);
    if (!r2 || r2->result != r->result || r2->lifetime != r->lifetime || r2->nonce != r->nonce) std::abort();
  }
  if (auto q = decode_pcp_map_request(in, &why)) {
    auto q2 = decode_pcp_map_request(encode_pcp_map_request(*q), &why);
    if (!q2 || q2->nonce != q->nonce || q2->internal_port != q->internal_port) std::abort();
  }
  if (auto n = decode_natpmp_response(in, &why)) {
    (void)natpmp_result_name(n->result);
    if (n->result == 0) {
      auto n2 = decode_natpmp_response(encode_natpmp_response(*n), &why);
      if (!n2 || n2->public_ip != n->public_ip || n2->external_port != n->external_port) std::abort();
    }
  }
  if (auto q = decode_natpmp_request(in, &why)) (void)encode_natpmp_request(*q);
  return 0;
}
