#pragma once
// Message digests from OpenSSL that libsodium does not have.
#include <string>
#include <string_view>

namespace st::lib::ssl {

// The 16 raw bytes of the MD5 digest.
std::string md5(std::string_view data);

}  // namespace st::lib::ssl
