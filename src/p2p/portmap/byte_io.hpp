#pragma once
// Big-endian reads and writes for the port-mapping codecs (network byte order on the wire).
#include <cstdint>
#include <string>
#include <string_view>

namespace st::p2p::portmap::detail {

inline std::uint8_t u8(std::string_view s, std::size_t at) { return static_cast<std::uint8_t>(s[at]); }
inline std::uint16_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(u8(s, at) << 8 | u8(s, at + 1));
}
inline std::uint32_t be32(std::string_view s, std::size_t at) {
  return std::uint32_t{u8(s, at)} << 24 | std::uint32_t{u8(s, at + 1)} << 16 | std::uint32_t{u8(s, at + 2)} << 8 |
         std::uint32_t{u8(s, at + 3)};
}
inline void put8(std::string& s, std::uint8_t v) { s.push_back(static_cast<char>(v)); }
inline void put16(std::string& s, std::uint16_t v) {
  put8(s, static_cast<std::uint8_t>(v >> 8));
  put8(s, static_cast<std::uint8_t>(v));
}
inline void put32(std::string& s, std::uint32_t v) {
  put16(s, static_cast<std::uint16_t>(v >> 16));
  put16(s, static_cast<std::uint16_t>(v));
}
template <class Bytes>
void put_bytes(std::string& s, const Bytes& b) {
  s.append(reinterpret_cast<const char*>(b.data()), b.size());
}
template <class Bytes>
void get_bytes(std::string_view s, std::size_t at, Bytes& b) {
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = u8(s, at + i);
}

}  // namespace st::p2p::portmap::detail
