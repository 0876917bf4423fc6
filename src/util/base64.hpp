#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace st::util {

// URL-safe base64 without padding (RFC 4648 §5), as JWTs use it.
std::string base64url_encode(std::string_view data);
// Strict: rejects padding, characters outside the URL-safe alphabet and non-canonical trailing bits.
std::optional<std::string> base64url_decode(std::string_view s);

}  // namespace st::util
