#include "crypto/identity.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "lib/sodium/sodium.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::crypto {

Identity::Identity(const Ed25519Seed& seed) : seed_(seed) {
  lib::sodium::Ed25519Seed s{};
  std::memcpy(s.data(), seed.data(), 32);
  auto pk = lib::sodium::ed25519_public_key(s);
  std::memcpy(public_.data(), pk.data(), 32);
  node_id_ = node_id_of(public_);
}

std::array<std::uint8_t, 64> Identity::sign(std::string_view message) const {
  lib::sodium::Ed25519Seed s{};
  std::memcpy(s.data(), seed_.data(), 32);
  auto sig = lib::sodium::ed25519_sign(s, message);
  std::array<std::uint8_t, 64> out{};
  std::memcpy(out.data(), sig.data(), 64);
  return out;
}

Identity Identity::load_or_create(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    // The folder of a new key is private too (0700), whatever the umask.
    if (auto dir = fs::path(path).parent_path(); !dir.empty() && fs::create_directories(dir, ec) && !ec)
      fs::permissions(dir, fs::perms::owner_all, ec);
    Ed25519Seed seed{};
    util::random_bytes(seed.data(), seed.size());
    std::string hex = util::to_hex(seed.data(), seed.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create the P2P key file " + path + ": " + std::strerror(errno));
    bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write the P2P key file " + path);
    return Identity(seed);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    throw std::runtime_error("the P2P key file " + path + " is readable by other users; run: chmod 600 " + path);
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw std::runtime_error("cannot read the P2P key file " + path);
  Ed25519Seed seed{};
  if (bytes.size() == 32) {
    std::memcpy(seed.data(), bytes.data(), 32);
    return Identity(seed);
  }
  auto text = util::trim(bytes);
  if (text.size() == 64) {
    if (auto raw = util::from_hex(text)) {
      std::memcpy(seed.data(), raw->data(), 32);
      return Identity(seed);
    }
  }
  throw std::runtime_error("the P2P key file " + path + " must hold 32 raw bytes or 64 hex characters");
}

std::optional<Ed25519Public> parse_node_id(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  auto raw = util::from_hex(text);
  if (!raw || raw->size() != 32) return std::nullopt;
  Ed25519Public k{};
  std::memcpy(k.data(), raw->data(), 32);
  return k;
}

std::string node_id_of(const Ed25519Public& key) { return util::to_hex(key.data(), key.size()); }

bool ed25519_verify(const Ed25519Public& key, std::string_view message, const std::array<std::uint8_t, 64>& sig) {
  lib::sodium::Ed25519PublicKey k{};
  lib::sodium::Ed25519Signature s{};
  std::memcpy(k.data(), key.data(), 32);
  std::memcpy(s.data(), sig.data(), 64);
  return lib::sodium::ed25519_verify(k, message, s);
}

}  // namespace st::crypto
