#include "lib/sodium/sodium.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace st::lib::sodium {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

HmacSha256 hmac_sha256(std::string_view key, std::string_view message) {
  HmacSha256 out{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

std::string secretbox_seal(std::string_view key, std::string_view plaintext) {
  if (key.size() != crypto_secretbox_KEYBYTES) throw std::invalid_argument("secretbox key must be 32 bytes");
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(p, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), p, reinterpret_cast<const unsigned char*>(key.data()));
  return out;
}

std::optional<std::string> secretbox_open(std::string_view key, std::string_view sealed) {
  if (key.size() != crypto_secretbox_KEYBYTES) throw std::invalid_argument("secretbox key must be 32 bytes");
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), p + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, p,
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return std::nullopt;
  return out;
}

bool equal_constant_time(const void* a, const void* b, std::size_t len_a, std::size_t len_b) {
  if (len_a != len_b) return false;
  if (len_a == 0) return true;
  return sodium_memcmp(a, b, len_a) == 0;
}

std::array<unsigned char, 32> blake2b_256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     nullptr, 0);
  return out;
}

std::string argon2id_hash(std::string_view password, PwhashLimits limits) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits.opslimit, limits.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return std::string(out);
}

bool argon2id_verify(std::string_view phc, std::string_view password) {
  if (phc.size() >= crypto_pwhash_STRBYTES) return false;
  std::string z(phc);  // the C API needs a NUL-terminated string
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

Ed25519PublicKey ed25519_public_key(const Ed25519Seed& seed) {
  Ed25519PublicKey pk{};
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk.data(), sk, seed.data());
  sodium_memzero(sk, sizeof sk);
  return pk;
}

Ed25519Signature ed25519_sign(const Ed25519Seed& seed, std::string_view message) {
  Ed25519PublicKey pk{};
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk.data(), sk, seed.data());
  Ed25519Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(), sk);
  sodium_memzero(sk, sizeof sk);
  return sig;
}

bool ed25519_verify(const Ed25519PublicKey& key, std::string_view message, const Ed25519Signature& sig) {
  return crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

}  // namespace st::lib::sodium
