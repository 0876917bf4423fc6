#pragma once
// Opaque bearer secrets (refresh tokens): random, shown to the client once, stored only as a digest.
#include <string>
#include <string_view>

namespace st::crypto {

// 32 random bytes, base64url: 43 characters.
std::string new_opaque_token();

// Hex BLAKE2b-256 of the token: what the database keeps and looks up by.
std::string token_digest(std::string_view token);

}  // namespace st::crypto
