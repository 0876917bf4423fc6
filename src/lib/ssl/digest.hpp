#pragma once
// Message digests from OpenSSL that libsodium does not have.
#include <string>
#include <string_view>

namespace st::lib::ssl {

// Lowercase hex MD5 (32 characters).
std::string md5_hex(std::string_view data);

}  // namespace st::lib::ssl
