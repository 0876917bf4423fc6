#pragma once
// AWS Signature Version 4 for S3 requests: the Authorization header and presigned query strings.
// Pure functions over a request description so they are checked against AWS's published vectors.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace st::lib::s3 {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
  std::string service = "s3";
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct SignedRequest {
  std::string method;        // "GET", "PUT", ...
  std::string path;          // raw (unencoded) path, e.g. "/bucket/key with space"
  Pairs query;               // raw names and values, any order
  Pairs headers;             // must include host and x-amz-date; names any case
  std::string payload_hash;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// RFC 3986 unreserved characters stay, everything else is %XX (upper case); '/' kept when !encode_slash.
std::string uri_encode(std::string_view in, bool encode_slash);
std::string sha256_hex(std::string_view data);

// The canonical request, the string to sign and the header value ("AWS4-HMAC-SHA256 Credential=...").
// amz_date is "YYYYMMDDTHHMMSSZ". S3 paths are encoded once (not double-encoded like other services).
std::string canonical_request(const SignedRequest& r, bool double_encode_path = false);
std::string authorization(const Credentials& c, const SignedRequest& r, std::string_view amz_date,
                          bool double_encode_path = false);

// A presigned URL's query string (X-Amz-Algorithm ... X-Amz-Signature) for method/path on host, with
// UNSIGNED-PAYLOAD and only the host header signed.
std::string presigned_query(const Credentials& c, std::string_view method, std::string_view path,
                            std::string_view host, std::string_view amz_date, long expires_seconds);

}  // namespace st::lib::s3
