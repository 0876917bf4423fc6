#pragma once
// Thin wrappers over the libsodium calls SoundTime uses; sodium.h stays out of callers.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::lib::sodium {

// Initialises libsodium once (thread-safe); throws when the library cannot start.
void init();

using HmacSha256 = std::array<unsigned char, 32>;
HmacSha256 hmac_sha256(std::string_view key, std::string_view message);

// Constant-time comparison of equal-length buffers; false when the sizes differ.
bool equal_constant_time(const void* a, const void* b, std::size_t len_a, std::size_t len_b);

// Authenticated secret-key encryption (XSalsa20-Poly1305) under a 32-byte key, with a random nonce:
// the result is nonce || ciphertext. open() returns nothing for a wrong key or altered bytes.
constexpr std::size_t kSecretboxKeyBytes = 32;
std::string secretbox_seal(std::string_view key, std::string_view plaintext);
std::optional<std::string> secretbox_open(std::string_view key, std::string_view sealed);

// BLAKE2b-256 of data (libsodium's generichash), used to store secrets by digest.
std::array<unsigned char, 32> blake2b_256(std::string_view data);

struct PwhashLimits {
  unsigned long long opslimit;
  std::size_t memlimit;
};

// Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
std::string argon2id_hash(std::string_view password, PwhashLimits limits);
// True when password matches the stored PHC string; false for a mismatch or a malformed string.
bool argon2id_verify(std::string_view phc, std::string_view password);

// Ed25519 (libsodium's crypto_sign): keys from a 32-byte seed, detached signatures.
using Ed25519Seed = std::array<unsigned char, 32>;
using Ed25519PublicKey = std::array<unsigned char, 32>;
using Ed25519Signature = std::array<unsigned char, 64>;
Ed25519PublicKey ed25519_public_key(const Ed25519Seed& seed);
Ed25519Signature ed25519_sign(const Ed25519Seed& seed, std::string_view message);
bool ed25519_verify(const Ed25519PublicKey& key, std::string_view message, const Ed25519Signature& sig);

}  // namespace st::lib::sodium
