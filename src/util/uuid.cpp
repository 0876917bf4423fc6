#include "util/uuid.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>

#include "util/random.hpp"

namespace st::util {

namespace {

std::string format_uuid(std::array<std::uint8_t, 16> b, int version) {
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | (version << 4));
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0x0f]);
  }
  return out;
}

// 16 bytes of the kernel's CSPRNG, drawn from a per-thread buffer refilled 4 KiB at a time: a catalogue pull
// makes 40,000 ids a batch, and a getrandom call each was 2% of its time. (Secrets call random_bytes.)
std::array<std::uint8_t, 16> id_bytes() {
  thread_local std::array<std::uint8_t, 4096> pool;
  thread_local std::size_t used = pool.size();
  if (used == pool.size()) {
    random_bytes(pool.data(), pool.size());
    used = 0;
  }
  std::array<std::uint8_t, 16> b;
  std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(used), b.size(), b.begin());
  std::fill_n(pool.begin() + static_cast<std::ptrdiff_t>(used), b.size(), std::uint8_t{0});  // handed out once
  used += b.size();
  return b;
}

}  // namespace

std::string new_uuid() {
  auto b = id_bytes();
  return format_uuid(b, 4);
}

std::string new_time_uuid() {
  auto b = id_bytes();
  auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  return format_uuid(b, 7);
}

std::string name_uuid(std::string_view name) {
  std::array<std::uint8_t, 16> b{};
  // Two FNV-1a 64-bit hashes with different offsets: stable across runs, builds and machines.
  std::uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;
  for (unsigned char c : name) {
    h1 = (h1 ^ c) * 0x100000001b3ull;
    h2 = (h2 ^ c) * 0x100000001b3ull;
  }
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(h1 >> (56 - 8 * i));
    b[8 + i] = static_cast<std::uint8_t>(h2 >> (56 - 8 * i));
  }
  return format_uuid(b, 8);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> normalize_uuid(std::string_view s) {
  if (!is_uuid(s)) return std::nullopt;
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace st::util
