#pragma once
// A link layer between nodes, independent of how bytes move (TLS over TCP now; QUIC could replace it):
// authenticated peers identified by NodeId, request/reply streams multiplexed on one connection per peer.
// Callers use blocking calls from their own threads; the implementation runs its I/O elsewhere.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/identity.hpp"

namespace st::p2p {

struct PeerAddress {
  std::string node_id;  // 64 hex: the key the dialer pins
  std::string host;
  std::uint16_t port = 0;
};

// "NodeId@host:port" (IPv6 hosts in brackets); nothing when malformed.
std::optional<PeerAddress> parse_peer_address(std::string_view text);
std::string format_peer_address(const PeerAddress& a);

// Bytes allocated without being zero-filled first: a binary reply (a 1 MiB blob range) is written over
// as soon as it is allocated, by a read from a file or from the link.
class Bytes {
 public:
  Bytes() = default;
  explicit Bytes(std::size_t n) : data_(n ? new char[n] : nullptr), size_(n) {}
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

enum class ReplyKind { json, binary, error };
struct Reply {
  ReplyKind kind = ReplyKind::json;
  std::string payload;  // json and error replies
  Bytes binary;         // binary replies
};

class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TransportLimits {
  std::uint32_t max_frame = 4u << 20;               // payload bytes of one frame
  std::size_t max_connections = 64;                 // authenticated links at once (both directions)
  std::size_t max_streams = 32;                     // concurrent requests per link, each direction
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds idle_timeout{120000};   // a link without requests for this long is closed
  unsigned handler_threads = 4;                     // where incoming requests are answered
  // Bytes queued for a peer that does not read them: above the high-water mark the link stops reading
  // (no new requests, no "busy" replies), below the low-water mark it reads again; above the hard cap, or
  // over the high-water mark with nothing written for write_stall_timeout, it is closed.
  std::size_t out_high_water = 16u << 20;
  std::size_t out_low_water = 4u << 20;
  std::size_t out_hard_cap = 64u << 20;
  std::chrono::milliseconds write_stall_timeout{60000};
};

// What a node answers to a request from an authenticated peer (runs on a handler thread).
using RequestHandler = std::function<Reply(const std::string& from_node, const std::string& remote_ip,
                                           const std::string& payload)>;
// Decides whether an authenticated peer may keep its link (blocked and non-friend peers may not).
using AdmitFn = std::function<bool(const std::string& node_id)>;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::uint16_t port() const = 0;
  // Sends a request on the link to `to` (reused, or dialled with its key pinned) and waits for the reply.
  // Throws TransportError on connection failure, refusal, timeout or a link closed meanwhile.
  virtual Reply request(const PeerAddress& to, const std::string& payload, std::chrono::milliseconds timeout) = 0;
  // Same, over an existing link only (a peer that dialled us and whose address we do not know).
  virtual Reply request_connected(const std::string& node_id, const std::string& payload,
                                  std::chrono::milliseconds timeout) = 0;
  virtual bool connected(const std::string& node_id) = 0;
  virtual void disconnect(const std::string& node_id) = 0;
  virtual std::size_t connection_count() = 0;
  // Bytes queued for writing over every link (replies and requests not yet handed to the kernel).
  virtual std::size_t queued_bytes() = 0;
  // The kind of path the link with a node runs over ("direct_tcp", "ice_direct", "turn_relay"); "" when none.
  virtual std::string path(const std::string& node) = 0;
  // Runs the TLS handshake over an already connected byte stream (our end of a bridge to an ICE path; the fd
  // is taken) as the dialling side (pinning `expected`) or the accepting side (the peer must be `expected`
  // when not empty), and keeps it as the link with that peer, labelled `path`. Blocks; returns the peer's
  // NodeId, or throws TransportError.
  virtual std::string attach(int fd, bool dialer, const std::string& expected, const std::string& remote_ip,
                             const std::string& path, std::chrono::milliseconds timeout) = 0;
  // Dials an address over a new connection, checks the handshake against to.node_id, and closes it: whether
  // the address reaches that node (a dial-back). Never touches the link with that node.
  virtual bool probe(const PeerAddress& to, std::chrono::milliseconds timeout) = 0;
  // Closes every link and stops the I/O thread; waits for it.
  virtual void stop() = 0;
};

struct TlsTransportOptions {
  std::string bind_host = "0.0.0.0";
  std::uint16_t bind_port = 11204;  // 0: any free port
  TransportLimits limits;
};

// TLS 1.3 over TCP, self-signed Ed25519 certificates, ALPN soundtime/p2p/1 (docs/p2p-protocol.md).
// Listens at once; throws TransportError when the port cannot be bound.
std::unique_ptr<Transport> make_tls_transport(const crypto::Identity& id, const TlsTransportOptions& options,
                                              RequestHandler handler, AdmitFn admit);

}  // namespace st::p2p
