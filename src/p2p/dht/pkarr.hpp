#pragma once
// pkarr SignedPackets (pubky/pkarr design/base.md) carrying SoundTime's "how to reach me" record: a DNS
// packet of TXT records under `_soundtime.<z32 key>`, signed with the node's Ed25519 key as a BEP 44
// mutable item (seq = timestamp in microseconds, v = the DNS packet as a byte string, no salt).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/dht/z_base32.hpp"

namespace st::crypto {
class Identity;
}

namespace st::p2p::dht {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// The BEP 44 cap on a mutable item's bencoded value; the DNS packet's bencoding must fit in it, so the
// packet itself is at most 995 bytes ("995:" + packet).
constexpr std::size_t kMaxBencodedValue = 1000;

struct SignedPacket {
  PublicKey key{};
  Signature sig{};
  std::uint64_t timestamp_us = 0;  // BEP 44 seq
  std::string dns;                 // the DNS packet, BEP 44 v
};

// What BEP 44 signs for an item without salt: "3:seqi<seq>e1:v<len>:<dns>".
std::string signable(std::uint64_t seq, std::string_view dns);
SignedPacket sign_packet(const crypto::Identity& id, std::string dns, std::uint64_t timestamp_us);
// "" when valid; otherwise why (too large, seq out of range, bad signature).
std::string check_packet(const SignedPacket& p);

// A SoundTime node's record: TXT strings `v=1`, `addr=<ip:port>` ([v6]:port), `rdv=<NodeId>`,
// `turn=<host:port>`, at `_soundtime.<z32>`, TTL 300.
struct NodeRecord {
  std::vector<std::string> addresses, rendezvous, turn;
  bool operator==(const NodeRecord&) const = default;
};
// The DNS packet. Throws std::invalid_argument when a value is longer than a TXT string allows (255) or
// the packet would not fit in a BEP 44 item.
std::string encode_node_record(const PublicKey& key, const NodeRecord& r);
// Reads the `_soundtime` TXT records of an untrusted DNS packet; nothing (and why) when the packet is
// malformed, over the limits, or has no `v=1`. Other names, types and unknown keys are ignored.
std::optional<NodeRecord> decode_node_record(const PublicKey& key, std::string_view dns, std::string& why);

std::optional<PublicKey> key_of_node_id(std::string_view node_id_hex);

// The pkarr relay HTTP body: sig(64) || timestamp (8, big-endian) || dns.
std::string relay_body(const SignedPacket& p);
// Parses and verifies (check_packet) a relay body for key.
std::optional<SignedPacket> parse_relay_body(const PublicKey& key, std::string_view body, std::string& why);

}  // namespace st::p2p::dht
