#pragma once
// The frame layer of a P2P link (docs/p2p-protocol.md): a 9-byte header — payload length (u32 BE),
// stream id (u32 BE), kind (u8) — then the payload. Many request streams share one connection.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::p2p {

enum class FrameKind : std::uint8_t {
  request = 1,   // a JSON message opening a stream (odd ids from the dialer, even from the acceptor)
  response = 2,  // the JSON reply ending the stream
  binary = 3,    // a binary reply ending the stream (verified blob ranges)
  error = 4,     // a protocol error ending the stream: {"error": code, "message": text}
};

inline constexpr std::size_t kFrameHeaderLen = 9;

struct FrameHeader {
  std::uint32_t length = 0;
  std::uint32_t stream = 0;
  FrameKind kind = FrameKind::request;
};

enum class FrameError { none, unknown_kind, too_large, zero_stream };
const char* describe(FrameError e);

// Reads a header; an unknown kind, stream 0 or a payload over max_payload is an error (the link is
// then closed: framing cannot be trusted any more).
FrameError parse_frame_header(const std::uint8_t* p, std::size_t max_payload, FrameHeader& out);
std::string encode_frame(FrameKind kind, std::uint32_t stream, std::string_view payload);
// Only the 9-byte header of a frame whose payload (`length` bytes) is sent separately, uncopied.
std::string encode_frame_header(FrameKind kind, std::uint32_t stream, std::uint32_t length);

struct Frame {
  FrameHeader header;
  std::string payload;
};

// Splits a byte stream into frames (tests, the fuzzer; the transport reads headers directly).
class FrameReader {
 public:
  explicit FrameReader(std::size_t max_payload) : max_(max_payload) {}
  void feed(const void* data, std::size_t len) { buf_.append(static_cast<const char*>(data), len); }
  // The next complete frame; nothing when more bytes are needed or after an error (see error()).
  std::optional<Frame> next();
  FrameError error() const { return error_; }

 private:
  std::size_t max_;
  std::string buf_;
  std::size_t pos_ = 0;
  FrameError error_ = FrameError::none;
};

}  // namespace st::p2p
