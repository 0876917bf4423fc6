// PCP MAP and NAT-PMP codecs: the RFC layouts byte by byte, round trips, and every way an answer from
// the LAN can be wrong (another nonce, another opcode, short, oversized, malformed options).
#include <gtest/gtest.h>

#include "p2p/portmap/gateway.hpp"
#include "p2p/portmap/natpmp_codec.hpp"
#include "p2p/portmap/pcp_codec.hpp"
#include "p2p/portmap/port_mapper.hpp"

using namespace st::p2p::portmap;

namespace {

PcpMapRequest sample_request() {
  PcpMapRequest r;
  r.lifetime = 3600;
  r.client_ip = ipv4_mapped(0x0A000502);  // 10.0.5.2
  for (int i = 0; i < 12; ++i) r.nonce[i] = static_cast<std::uint8_t>(0xA0 + i);
  r.protocol = kIpProtocolTcp;
  r.internal_port = 11204;
  r.external_port = 11204;
  r.external_ip = ipv4_mapped(0);
  return r;
}

PcpMapResponse success_for(const PcpMapRequest& q) {
  PcpMapResponse r;
  r.result = 0;
  r.lifetime = 600;
  r.epoch = 42;
  r.has_payload = true;
  r.nonce = q.nonce;
  r.protocol = q.protocol;
  r.internal_port = q.internal_port;
  r.external_port = 11207;
  r.external_ip = ipv4_mapped(0xC612000F);
  return r;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

}  // namespace

TEST(PcpCodec, RequestLayoutIsRfc6887Map) {
  std::string p = encode_pcp_map_request(sample_request());
  ASSERT_EQ(p.size(), 60u);
  std::string want = bytes({2, 1, 0, 0, 0, 0, 0x0e, 0x10,                      // version, MAP, lifetime 3600
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 5, 2,  // ::ffff:10.0.5.2
                            0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,  // nonce
                            6, 0, 0, 0, 0x2b, 0xc4, 0x2b, 0xc4,                 // TCP, ports 11204
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0});
  EXPECT_EQ(p, want);
}

TEST(PcpCodec, RequestAndResponseRoundTrip) {
  auto q = sample_request();
  std::string why;
  auto back = decode_pcp_map_request(encode_pcp_map_request(q), &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->lifetime, q.lifetime);
  EXPECT_EQ(back->client_ip, q.client_ip);
  EXPECT_EQ(back->nonce, q.nonce);
  EXPECT_EQ(back->internal_port, q.internal_port);
  EXPECT_EQ(back->external_port, q.external_port);

  auto r = success_for(q);
  std::string wire = encode_pcp_map_response(r);
  ASSERT_EQ(wire.size(), 60u);
  EXPECT_EQ(static_cast<std::uint8_t>(wire[1]), 0x81);
  auto d = decode_pcp_map_response(wire, &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ(d->lifetime, 600u);
  EXPECT_EQ(d->epoch, 42u);
  EXPECT_EQ(d->external_port, 11207);
  EXPECT_EQ(mapped_ipv4(d->external_ip), 0xC612000Fu);
  EXPECT_EQ(d->nonce, q.nonce);
}

TEST(PcpCodec, AcceptsOurAnswerAndItsOptions) {
  auto q = sample_request();
  PcpMapResponse out;
  auto c = check_pcp_response(encode_pcp_map_response(success_for(q)), q, &out);
  EXPECT_EQ(c.verdict, PcpVerdict::mapped) << c.why;
  EXPECT_EQ(out.external_port, 11207);
  // A well-formed option (code 1, 20 bytes of data) after the payload is fine.
  std::string with_option = encode_pcp_map_response(success_for(q)) + bytes({1, 0, 0, 20}) + std::string(20, '\0');
  EXPECT_EQ(check_pcp_response(with_option, q, nullptr).verdict, PcpVerdict::mapped);
}

TEST(PcpCodec, IgnoresAnswersThatAreNotOurs) {
  auto q = sample_request();
  std::string good = encode_pcp_map_response(success_for(q));

  auto wrong_nonce = success_for(q);
  wrong_nonce.nonce[11] ^= 0x55;
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(wrong_nonce), q, nullptr).verdict, PcpVerdict::ignore);

  std::string wrong_op = good;
  wrong_op[1] = static_cast<char>(0x82);  // PEER answer
  EXPECT_EQ(check_pcp_response(wrong_op, q, nullptr).verdict, PcpVerdict::ignore);
  std::string a_request = good;
  a_request[1] = 0x01;  // R bit clear: someone's request, not an answer
  EXPECT_EQ(check_pcp_response(a_request, q, nullptr).verdict, PcpVerdict::ignore);

  std::string v1 = good;
  v1[0] = 1;
  EXPECT_EQ(check_pcp_response(v1, q, nullptr).verdict, PcpVerdict::ignore);

  auto other_port = success_for(q);
  other_port.internal_port = 22;
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(other_port), q, nullptr).verdict, PcpVerdict::ignore);

  auto no_port = success_for(q);
  no_port.external_port = 0;
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(no_port), q, nullptr).verdict, PcpVerdict::ignore);
  auto no_addr = success_for(q);
  no_addr.external_ip = ipv4_mapped(0);
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(no_addr), q, nullptr).verdict, PcpVerdict::ignore);
  auto ipv6_addr = success_for(q);
  ipv6_addr.external_ip[0] = 0x20;
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(ipv6_addr), q, nullptr).verdict, PcpVerdict::ignore);
}

TEST(PcpCodec, RejectsShortLongAndMalformedPackets) {
  auto q = sample_request();
  std::string good = encode_pcp_map_response(success_for(q));
  for (std::size_t n : {0u, 1u, 4u, 23u, 28u, 56u}) {
    auto c = check_pcp_response(good.substr(0, n), q, nullptr);
    EXPECT_EQ(c.verdict, PcpVerdict::ignore) << n;
    EXPECT_FALSE(c.why.empty()) << n;
  }
  EXPECT_EQ(check_pcp_response(good + "ab", q, nullptr).verdict, PcpVerdict::ignore);  // not a multiple of 4
  EXPECT_EQ(check_pcp_response(good + std::string(1100, '\0'), q, nullptr).verdict, PcpVerdict::ignore);
  // An option that claims more bytes than there are.
  EXPECT_EQ(check_pcp_response(good + bytes({1, 0, 0, 40}) + std::string(8, '\0'), q, nullptr).verdict,
            PcpVerdict::ignore);
  EXPECT_EQ(check_pcp_response(good + bytes({1, 0, 0, 4}), q, nullptr).verdict, PcpVerdict::ignore);
  // The header of a success alone carries no mapping.
  EXPECT_EQ(check_pcp_response(good.substr(0, 24), q, nullptr).verdict, PcpVerdict::ignore);
}

TEST(PcpCodec, ErrorResultsAreRefusalsWithTheirNames) {
  auto q = sample_request();
  for (std::uint8_t code = 1; code <= 13; ++code) {
    auto r = success_for(q);
    r.result = code;
    auto c = check_pcp_response(encode_pcp_map_response(r), q, nullptr);
    EXPECT_EQ(c.verdict, PcpVerdict::refused) << int(code);
    EXPECT_NE(c.why.find(pcp_result_name(code)), std::string::npos) << c.why;
  }
  EXPECT_EQ(pcp_result_name(2), "NOT_AUTHORIZED");
  EXPECT_EQ(pcp_result_name(8), "NO_RESOURCES");
  EXPECT_EQ(pcp_result_name(12), "ADDRESS_MISMATCH");
  EXPECT_EQ(pcp_result_name(200), "UNKNOWN_RESULT");
  EXPECT_NE(pcp_result_words(2).find("policy"), std::string::npos);
  // A refusal for another nonce is a stranger's, not ours.
  auto r = success_for(q);
  r.result = 2;
  r.nonce[0] ^= 1;
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(r), q, nullptr).verdict, PcpVerdict::ignore);
  // UNSUPP_VERSION may come as a bare header.
  PcpMapResponse bare;
  bare.result = 1;
  EXPECT_EQ(check_pcp_response(encode_pcp_map_response(bare), q, nullptr).verdict, PcpVerdict::refused);
}

TEST(PcpCodec, NatPmpOnlyRouterIsRecognised) {
  auto q = sample_request();
  NatPmpResponse r;
  r.opcode = 1;
  r.result = kNatPmpUnsupportedVersion;
  auto c = check_pcp_response(encode_natpmp_response(r), q, nullptr);
  EXPECT_EQ(c.verdict, PcpVerdict::natpmp_only) << c.why;
  r.result = 0;  // a NAT-PMP success cannot answer a PCP request
  EXPECT_EQ(check_pcp_response(encode_natpmp_response(r), q, nullptr).verdict, PcpVerdict::ignore);
}

TEST(PcpCodec, EpochDetectsARestartedRouter) {
  EXPECT_TRUE(pcp_epoch_valid(1000, 50, 1600, 650));   // both moved 600 s
  EXPECT_TRUE(pcp_epoch_valid(1000, 50, 1002, 51));    // small jitter
  EXPECT_FALSE(pcp_epoch_valid(1000, 50, 10, 650));    // went back: restarted
  EXPECT_FALSE(pcp_epoch_valid(1000, 50, 1005, 650));  // the router counted 5 s while we counted 600
  EXPECT_FALSE(pcp_epoch_valid(1000, 50, 5000, 60));   // the router ran far ahead
}

TEST(NatPmpCodec, ResponsesDecode) {
  std::string why;
  // Public address answer: 0, 128, result 0, epoch 7, 198.18.0.15
  auto a = decode_natpmp_response(bytes({0, 128, 0, 0, 0, 0, 0, 7, 198, 18, 0, 15}), &why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ(a->opcode, 0);
  EXPECT_EQ(a->epoch, 7u);
  EXPECT_EQ(a->public_ip, 0xC612000Fu);
  // TCP mapping answer: internal 11204, external 11206, lifetime 600.
  auto m = decode_natpmp_response(bytes({0, 130, 0, 0, 0, 0, 0, 9, 0x2b, 0xc4, 0x2b, 0xc6, 0, 0, 2, 0x58}), &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->opcode, 2);
  EXPECT_EQ(m->internal_port, 11204);
  EXPECT_EQ(m->external_port, 11206);
  EXPECT_EQ(m->lifetime, 600u);
  // An error answer may stop after the epoch.
  auto e = decode_natpmp_response(bytes({0, 130, 0, 2, 0, 0, 0, 9}), &why);
  ASSERT_TRUE(e) << why;
  EXPECT_EQ(e->result, 2);
  EXPECT_EQ(natpmp_result_name(e->result), "NOT_AUTHORIZED");
  // Short successes, another version, requests, unknown opcodes.
  EXPECT_FALSE(decode_natpmp_response(bytes({0, 128, 0, 0, 0, 0, 0, 7, 198, 18}), &why));
  EXPECT_FALSE(decode_natpmp_response(bytes({0, 130, 0, 0, 0, 0, 0, 9, 0x2b, 0xc4}), &why));
  EXPECT_FALSE(decode_natpmp_response(bytes({1, 128, 0, 0, 0, 0, 0, 7, 198, 18, 0, 15}), &why));
  EXPECT_FALSE(decode_natpmp_response(bytes({0, 0, 0, 0, 0, 0, 0, 7}), &why));
  EXPECT_FALSE(decode_natpmp_response(bytes({0, 133, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0}), &why));
  EXPECT_FALSE(decode_natpmp_response(bytes({0, 128, 0}), &why));
}

TEST(NatPmpCodec, RoundTrips) {
  NatPmpRequest q{kNatPmpOpMapTcp, 11204, 11206, 600};
  auto back = decode_natpmp_request(encode_natpmp_request(q), nullptr);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->internal_port, 11204);
  EXPECT_EQ(back->external_port, 11206);
  EXPECT_EQ(back->lifetime, 600u);
  EXPECT_EQ(encode_natpmp_request(NatPmpRequest{}).size(), 2u);
  NatPmpResponse r;
  r.opcode = kNatPmpOpMapTcp;
  r.internal_port = 1;
  r.external_port = 2;
  r.lifetime = 3;
  auto d = decode_natpmp_response(encode_natpmp_response(r), nullptr);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->external_port, 2);
  EXPECT_EQ(d->lifetime, 3u);
}

TEST(Gateway, DefaultRouteFromProcNetRoute) {
  const std::string table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t0005000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth1\t00000000\t0100000A\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
      "eth0\t00000000\t0105000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
      "garbage line\n"
      "eth2\t00000000\tZZZZ\t0003\t0\t0\t1\t00000000\t0\t0\t0\n";
  EXPECT_EQ(default_gateway_from(table), "10.0.5.1");  // the lower metric wins
  EXPECT_EQ(default_gateway_from("Iface\tDestination\n"), "");
  // A default route that is down, or without a gateway (a point-to-point link), gives none.
  EXPECT_EQ(default_gateway_from("h\neth0\t00000000\t0105000A\t0002\t0\t0\t0\t00000000\n"), "");
  EXPECT_EQ(default_gateway_from("h\nppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\n"), "");
}

TEST(Gateway, DoubleNatAddresses) {
  EXPECT_TRUE(is_double_nat_external("10.1.2.3"));
  EXPECT_TRUE(is_double_nat_external("172.16.0.1"));
  EXPECT_TRUE(is_double_nat_external("172.31.255.1"));
  EXPECT_TRUE(is_double_nat_external("192.168.1.1"));
  EXPECT_TRUE(is_double_nat_external("100.64.0.1"));
  EXPECT_TRUE(is_double_nat_external("100.127.255.254"));
  EXPECT_FALSE(is_double_nat_external("100.128.0.1"));
  EXPECT_FALSE(is_double_nat_external("172.32.0.1"));
  EXPECT_FALSE(is_double_nat_external("8.8.8.8"));
  EXPECT_FALSE(is_double_nat_external("198.18.0.15"));  // benchmark range: the lab's internet
  EXPECT_EQ(classify_ipv4(*parse_ipv4("198.19.255.1")), AddressKind::reserved_benchmark);
  EXPECT_EQ(classify_ipv4(*parse_ipv4("127.0.0.1")), AddressKind::loopback);
  EXPECT_FALSE(parse_ipv4("1.2.3"));
  EXPECT_EQ(format_ipv4(0xC612000F), "198.18.0.15");
}
