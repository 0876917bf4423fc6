#pragma once
// MD5, only because the Subsonic protocol's token auth is defined with it (t = md5(password + salt)).
// Never used to protect anything of ours.
#include <string>
#include <string_view>

namespace st::crypto {

// Lowercase hex digest (32 characters).
std::string md5_hex(std::string_view data);

}  // namespace st::crypto
