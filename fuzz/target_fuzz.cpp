// Request targets and query strings from the network: split, decode, never crash.
#include <cstdint>
#include <string>

#include "http/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string target(reinterpret_cast<const char*>(data), size);
  st::http::Request req;
  if (st::http::split_target(target, req.path, req.query_string)) {
    if (req.path.find('\0') != std::string::npos) __builtin_trap();
    auto pairs = req.query_pairs();
    for (const auto& [k, v] : pairs) (void)req.query(k);
  }
  req.headers.set("Authorization", target);
  (void)req.bearer_token();
  return 0;
}
