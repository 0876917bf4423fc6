#pragma once
// Message digests from OpenSSL that libsodium does not have.
#include <string>
#include <string_view>

namespace st::lib::ssl {

// The 16 raw bytes of the MD5 digest.
std::string md5(std::string_view data);
// The 20 raw bytes of the SHA-1 digest (BitTorrent DHT targets: BEP 44 items live at sha1(key)).
std::string sha1(std::string_view data);

// Standard base64 of HMAC-SHA1(key, data): the password of a TURN REST API credential.
std::string hmac_sha1_base64(std::string_view key, std::string_view data);

// The 32 raw bytes of SHA-256 (S3 Signature Version 4; its HMAC-SHA256 is lib/sodium's).
std::string sha256(std::string_view data);

}  // namespace st::lib::ssl
