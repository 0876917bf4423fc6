#pragma once
// The P2P message set, with the original's names and JSON field names (serde's externally tagged enum:
// unit variants are bare strings, others are {"Variant": payload}). Fields we add are optional on the
// wire, so the original's messages still decode.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace st::p2p {

struct TrackAnnouncement {
  std::string hash;  // BLAKE3 of the file, 64 hex
  std::string title;
  std::string artist_name;
  std::optional<std::string> album_artist_name;
  std::optional<std::string> album_title;
  double duration_secs = 0;
  std::string format;
  std::int64_t file_size = 0;
  std::optional<std::string> genre;
  std::optional<int> year;
  std::optional<int> track_number;
  std::optional<int> disc_number;
  std::optional<int> bitrate;  // kbps
  std::optional<int> sample_rate;
  std::string origin_node;
  std::optional<std::string> cover_hash;
};

// Ours: the listening port lets the receiver dial back later (the original relied on discovery).
struct Ping {
  std::optional<std::uint16_t> listen_port;
};
// Ours: `observed` is the IP the answering node saw the Ping come from (a node behind NAT learns its public
// address); `rendezvous` says the answering node forwards Signals between its peers.
struct Pong {
  std::string node_id;
  std::uint64_t track_count = 0;
  std::optional<std::string> version;
  std::optional<std::string> observed;
  bool rendezvous = false;
};
struct AnnounceTrack {
  TrackAnnouncement track;
};
struct CatalogSync {
  std::vector<TrackAnnouncement> tracks;
};
// A page of changes after a cursor. The original had only since + tracks; removed, cursor, next_cursor
// and has_more are ours (deletions and edits travel too; the receiver keeps next_cursor per peer).
struct CatalogDelta {
  std::string since;  // RFC 3339
  std::vector<TrackAnnouncement> tracks;
  std::vector<std::string> removed;  // hashes no longer offered
  std::uint64_t cursor = 0;
  std::uint64_t next_cursor = 0;
  bool has_more = false;
};
// Bare "RequestCatalog" (the original) means from the start; ours carries the cursor to resume from.
struct RequestCatalog {
  std::uint64_t since_cursor = 0;
  std::uint32_t limit = 500;
};
// The original sent the whole blob; we answer verified ranges (offset/length widened to 16 KiB groups).
struct FetchTrack {
  std::string hash;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
};
// Ours: where a node can be dialled, signed by that node (Ed25519 over peer_record_signing_bytes()), so
// an address for a NodeId comes only from its owner; a newer timestamp replaces an older record.
struct SignedPeerRecord {
  std::string node_id;
  std::vector<std::string> addresses;  // host:port, at most 8
  std::uint64_t timestamp = 0;         // Unix seconds
  std::string signature;               // 128 hex characters
};
struct PeerExchange {
  std::vector<std::string> peers;
  std::vector<SignedPeerRecord> records;  // ours; absent in the original's messages
};
struct BloomFilterData {
  std::vector<std::uint8_t> bitmap;
  std::uint32_t num_hashes = 0;
  std::uint64_t bitmap_bits = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> sip_keys;
  std::uint64_t item_count = 0;
};
struct BloomExchange {
  BloomFilterData bloom;
};
struct SearchQuery {
  std::string request_id;
  std::string query;
  std::uint32_t limit = 20;
};
struct SearchResultItem {
  std::string hash, title, artist_name;
  std::optional<std::string> album_title;
  double duration_secs = 0;
  std::string format;
  std::optional<std::string> genre;
  std::optional<int> year;
  std::optional<int> bitrate;
  std::string source_node;
  std::optional<std::string> musicbrainz_id;
  double relevance = 0;
};
struct SearchResults {
  std::string request_id;
  std::vector<SearchResultItem> results;
  std::uint64_t total = 0;
};

// Ours: a one-hop signal for ICE between two nodes that cannot dial each other, sent to a peer both are
// linked to (a rendezvous), which forwards it to `to` and hands back `to`'s answer. Signed by `from`
// (Ed25519 over signal_signing_bytes(), p2p/signal.hpp); `description` is an ICE description (credentials
// and candidates, at most 4 KiB).
struct Signal {
  std::string to, from;
  std::string kind;  // "offer" or "answer"
  std::string description;
  std::string nonce;           // 32 hex, never reused
  std::uint64_t timestamp = 0;  // Unix seconds
  std::string signature;        // 128 hex
};
// Ours: "dial me back at these addresses": the receiver dials each (only at the IP it sees us at, at most 4)
// with our key pinned, and answers which it reached. Only addresses proven so are published.
struct DialBack {
  std::vector<std::string> addresses;
};
struct DialBackResult {
  std::vector<std::string> reached;
};

using Message = std::variant<Ping, Pong, AnnounceTrack, CatalogSync, CatalogDelta, RequestCatalog, FetchTrack,
                             PeerExchange, BloomExchange, SearchQuery, SearchResults, Signal, DialBack,
                             DialBackResult>;

const char* message_name(const Message& m);

// Limits applied while decoding untrusted input.
struct DecodeLimits {
  std::size_t max_bytes = 4u << 20;
  std::size_t max_tracks = 1000;      // per CatalogSync / CatalogDelta page
  std::size_t max_string = 4096;      // bytes per text field
  std::size_t max_peers = 1000;
  std::size_t max_results = 200;
  std::size_t max_bloom_bytes = 1u << 21;
};

struct Decoded {
  std::optional<Message> message;
  std::string error;  // why it was refused, when message is empty
};

Decoded decode_message(std::string_view json, const DecodeLimits& limits = {});
std::string encode_message(const Message& m);

// The body of an error frame, and its decoding.
std::string encode_protocol_error(std::string_view code, std::string_view message);
struct ProtocolError {
  std::string code, message;
};
std::optional<ProtocolError> decode_protocol_error(std::string_view json);

}  // namespace st::p2p
