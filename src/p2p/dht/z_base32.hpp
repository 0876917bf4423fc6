#pragma once
// z-base-32 (Zimmermann's human-oriented base 32), no padding: pkarr's encoding of Ed25519 keys as a
// 52-character top-level domain.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace st::p2p::dht {

std::string z32_encode(std::span<const std::uint8_t> bytes);
// Nothing when a character is outside the alphabet (lowercase only, as pkarr writes it; uppercase is
// accepted) or the trailing bits are not a whole number of bytes.
std::optional<std::vector<std::uint8_t>> z32_decode(std::string_view text);

}  // namespace st::p2p::dht
