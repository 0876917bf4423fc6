#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/headers.hpp"

namespace st::http {

enum class Method { get, head, post, put, patch, del, options, other };

Method parse_method(std::string_view m);
std::string_view to_string(Method m);

// One HTTP request as the application sees it: no Beast types.
struct Request {
  Method method = Method::get;
  std::string target;  // as received: path plus query
  std::string path;    // percent-decoded path
  std::string query_string;
  Headers headers;
  std::string body;
  // For routes that receive their body as a file (uploads): where it is. Deleted after the response.
  std::string body_file;
  std::string remote_ip;   // the socket peer
  std::string request_id;  // also sent back as X-Request-Id
  std::map<std::string, std::string, std::less<>> path_params;  // filled by the router
  // True once the client has closed its connection (a handler waiting on the network may then give up).
  // Set by the server; a client that half-closes after its request looks gone too.
  std::function<bool()> client_gone;

  // First value of a query parameter (decoded; '+' is a space), or nothing.
  std::optional<std::string> query(std::string_view key) const;
  // Every key/value pair of the query string, in order.
  std::vector<std::pair<std::string, std::string>> query_pairs() const;
  std::string_view param(std::string_view name) const;  // a path parameter ("" when absent)
  // The bearer token from the Authorization header, if any.
  std::optional<std::string_view> bearer_token() const;
};

// The client's address: the socket peer, or the X-Forwarded-For entry added by a trusted proxy.
std::string client_ip(const Request& req, const std::vector<std::string>& trusted_proxies);

// Splits a request target into decoded path and raw query; false for a malformed target.
bool split_target(std::string_view target, std::string& path, std::string& query);

}  // namespace st::http
