#pragma once
// A node's Ed25519 identity: the key file at P2P_SECRET_KEY_PATH (the original's formats: 32 raw bytes
// or 64 hex characters), and its NodeId, the public key as 64 lowercase hex characters.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace st::crypto {

using Ed25519Seed = std::array<std::uint8_t, 32>;
using Ed25519Public = std::array<std::uint8_t, 32>;

class Identity {
 public:
  explicit Identity(const Ed25519Seed& seed);
  // Reads the key file, or creates it (mode 0600, hex) with a fresh key when it does not exist.
  // Throws std::runtime_error naming the file when it exists but holds neither format, or is readable
  // by others (then it is not trusted).
  static Identity load_or_create(const std::string& path);

  const Ed25519Seed& seed() const { return seed_; }
  const Ed25519Public& public_key() const { return public_; }
  const std::string& node_id() const { return node_id_; }
  std::array<std::uint8_t, 64> sign(std::string_view message) const;

 private:
  Ed25519Seed seed_;
  Ed25519Public public_;
  std::string node_id_;
};

// The public key of a NodeId (64 hex characters, either case); nothing when malformed.
std::optional<Ed25519Public> parse_node_id(std::string_view text);
std::string node_id_of(const Ed25519Public& key);
bool ed25519_verify(const Ed25519Public& key, std::string_view message, const std::array<std::uint8_t, 64>& sig);

}  // namespace st::crypto
