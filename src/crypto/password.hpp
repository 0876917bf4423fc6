#pragma once
// Argon2id password hashing (PHC strings). Also verifies the Rust original's hashes
// ($argon2id$v=19$m=19456,t=2,p=1$...), so a migrated user keeps their password.
#include <string>
#include <string_view>

namespace st::crypto {

// OWASP's recommended minimum for Argon2id: 19 MiB, 2 passes, 1 lane (the original's parameters).
std::string hash_password(std::string_view password);
bool verify_password(std::string_view phc, std::string_view password);

// A hash that verify_password never accepts, for timing-equalising logins of unknown users.
const std::string& dummy_password_hash();

}  // namespace st::crypto
