#include "p2p/protocol/frame.hpp"

namespace st::p2p {

namespace {
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}
void put32(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v >> 24));
  s.push_back(static_cast<char>(v >> 16));
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v));
}
}  // namespace

const char* describe(FrameError e) {
  switch (e) {
    case FrameError::none: return "no error";
    case FrameError::unknown_kind: return "unknown frame kind";
    case FrameError::too_large: return "frame larger than the limit";
    case FrameError::zero_stream: return "frame on stream 0";
  }
  return "bad frame";
}

FrameError parse_frame_header(const std::uint8_t* p, std::size_t max_payload, FrameHeader& out) {
  out.length = be32(p);
  out.stream = be32(p + 4);
  std::uint8_t k = p[8];
  if (k < 1 || k > 4) return FrameError::unknown_kind;
  out.kind = static_cast<FrameKind>(k);
  if (out.stream == 0) return FrameError::zero_stream;
  if (out.length > max_payload) return FrameError::too_large;
  return FrameError::none;
}

std::string encode_frame(FrameKind kind, std::uint32_t stream, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderLen + payload.size());
  put32(out, static_cast<std::uint32_t>(payload.size()));
  put32(out, stream);
  out.push_back(static_cast<char>(kind));
  out.append(payload);
  return out;
}

std::string encode_frame_header(FrameKind kind, std::uint32_t stream, std::uint32_t length) {
  std::string out;
  out.reserve(kFrameHeaderLen);
  put32(out, length);
  put32(out, stream);
  out.push_back(static_cast<char>(kind));
  return out;
}

std::optional<Frame> FrameReader::next() {
  if (error_ != FrameError::none) return std::nullopt;
  if (buf_.size() - pos_ < kFrameHeaderLen) return std::nullopt;
  FrameHeader h;
  error_ = parse_frame_header(reinterpret_cast<const std::uint8_t*>(buf_.data() + pos_), max_, h);
  if (error_ != FrameError::none) return std::nullopt;
  if (buf_.size() - pos_ - kFrameHeaderLen < h.length) return std::nullopt;
  Frame f{h, buf_.substr(pos_ + kFrameHeaderLen, h.length)};
  pos_ += kFrameHeaderLen + h.length;
  if (pos_ > (1u << 16) && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return f;
}

}  // namespace st::p2p
