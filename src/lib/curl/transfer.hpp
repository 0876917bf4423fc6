#pragma once
// One streaming HTTP exchange with libcurl, for clients that move large bodies (object storage): any
// method, a body read in pieces or given whole, the answer handed to a sink as it arrives, response
// headers kept. No redirects. Never hangs: a connect timeout, an overall timeout, and a stall limit
// (less than one byte per second for stall_seconds aborts). curl.h stays out of callers.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/curl/http_get.hpp"

namespace st::lib::curl {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Transfer {
  std::string method = "GET";
  std::string url;
  HeaderList headers;  // a header with a line break (or a colon in its name) is dropped
  // The request body: `body` whole, or `reader` filling a buffer and returning 0 at the end (then
  // body_size, when known, is sent as Content-Length; else chunked).
  std::string_view body;
  std::function<std::size_t(char*, std::size_t)> reader;
  std::optional<std::uint64_t> body_size;
  // A 2xx answer's body goes to `sink` as it arrives (false stops the transfer: Stopped is thrown);
  // without a sink, or for any other status, it is collected in Reply::body up to max_body.
  std::function<bool(std::string_view)> sink;
  std::size_t max_body = 1024 * 1024;
  bool head = false;  // HEAD: no body is read
  long connect_timeout_seconds = 5;
  long timeout_seconds = 0;  // 0: none beyond the stall limit
  long stall_seconds = 30;
};

struct TransferReply {
  long status = 0;
  HeaderList headers;  // names in lower case, of the final answer only
  std::string body;

  const std::string* header(std::string_view lower_name) const;
};

// The sink asked to stop.
class Stopped : public TransportError {
 public:
  using TransportError::TransportError;
};

// Throws TransportError when no complete HTTP answer arrives (connection, timeout, stall, body too large),
// Stopped when the sink stopped it. An exception thrown by the reader or the sink aborts the transfer and
// is rethrown as it was.
TransferReply transfer(const Transfer& t);

}  // namespace st::lib::curl
