#pragma once
// Small secrets kept by the server under its own key: sealed (encrypted and authenticated) so that
// they can be used again, or reduced to a keyed digest so that they can be looked up.
#include <string>
#include <string_view>

#include <optional>

namespace st::crypto {

// key: 32 bytes. The result is base64url text; open() gives nothing for another key or altered text.
std::string seal(std::string_view key, std::string_view plaintext);
std::optional<std::string> open_sealed(std::string_view key, std::string_view sealed);

// Hex HMAC-SHA256 of data under key.
std::string keyed_digest(std::string_view key, std::string_view data);

// Hex BLAKE2b-256 of data.
std::string digest_hex(std::string_view data);

// Comparison whose time does not depend on where the strings differ.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace st::crypto
