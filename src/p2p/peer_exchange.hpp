#pragma once
// Peer exchange with signed address records: building, signing and checking records, the addresses a
// node advertises, and the book of records learned from peers (kept in a file so they survive restarts
// and can be offered onwards with their owners' signatures).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/identity.hpp"
#include "p2p/protocol/messages.hpp"
#include "p2p/reach/address_scope.hpp"

namespace st::p2p {

inline constexpr std::uint64_t kRecordMaxFutureSeconds = 600;  // clocks may drift, not by more
inline constexpr std::size_t kRecordMaxAddresses = 8;

// What the owner signs: a domain string, the NodeId, the timestamp and the addresses, one per line.
std::string peer_record_signing_bytes(const SignedPeerRecord& r);
SignedPeerRecord sign_peer_record(const crypto::Identity& id, std::vector<std::string> addresses,
                                  std::uint64_t timestamp);
// Why a record cannot be trusted (malformed NodeId or address, bad signature, timestamp too far ahead
// of `now`); empty when it can.
std::string check_peer_record(const SignedPeerRecord& r, std::uint64_t now);

// The addresses a node advertises: the configured ones, else the bind address when it is a specific
// one, else the machine's non-loopback interface addresses; each with the P2P port.
std::vector<std::string> advertised_addresses(const std::vector<std::string>& configured, const std::string& bind_host,
                                              std::uint16_t port);

// The addresses of a learned record we may dial, for a record that came from a peer seen in `from_scope`:
// never link-local ones; loopback ones only from a peer on loopback; private or CGNAT ones only from a
// peer that fits them (scope_fits). `allow_local` (a lab) keeps every address. Names are kept.
std::vector<std::string> dialable_learned_addresses(const std::vector<std::string>& addresses, AddressScope from_scope,
                                                    bool allow_local);

class PeerRecordBook {
 public:
  static constexpr std::size_t kMaxRecords = 1000;  // one PeerExchange's worth

  // Loads the file when it exists (records that no longer check out are dropped; a bad file is logged
  // and ignored). An empty path keeps records in memory only.
  explicit PeerRecordBook(std::string path);
  // Keeps a checked record when it is newer than the one held for its node; true when kept.
  bool offer(const SignedPeerRecord& r);
  std::optional<SignedPeerRecord> find(const std::string& node) const;
  void forget(const std::string& node);
  std::size_t size() const;
  // Writes the file when something changed since the last save (atomically: temp file, then rename).
  void save();

 private:
  std::string path_;
  mutable std::mutex mu_;
  std::map<std::string, SignedPeerRecord> records_;
  bool dirty_ = false;
};

}  // namespace st::p2p
