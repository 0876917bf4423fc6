// HTTP Range header parsing: never crashes, and a satisfiable range always lies inside the body.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "http/range.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  std::uint64_t body_size = 0;
  std::memcpy(&body_size, data, 8);
  body_size %= (1ull << 40);
  std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
  auto r = st::http::parse_range(header, body_size);
  if (r.kind == st::http::RangeKind::satisfiable) {
    if (r.range.first > r.range.last || r.range.last >= body_size) __builtin_trap();
  }
  return 0;
}
