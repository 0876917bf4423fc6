#pragma once
// OpenSSL 3 for P2P links: TLS 1.3 only, each side presenting a self-signed Ed25519 certificate made
// from the node key, ALPN required. The peer's key is read after the handshake and pinned by the caller.
// OpenSSL headers stay out of callers.
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct ssl_ctx_st;
struct ssl_st;

namespace st::lib::ssl {

class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The ALPN protocol both sides must agree on.
inline constexpr std::string_view kAlpn = "soundtime/p2p/1";
// A dial-back: the handshake proves the address reaches the node, then the connection closes (it never
// becomes, nor replaces, a link).
inline constexpr std::string_view kProbeAlpn = "soundtime/probe/1";

// Sets up ctx (made by the caller, e.g. asio::ssl::context) for one side of a P2P link. Throws TlsError
// with OpenSSL's reason when the key or certificate cannot be installed. A client offers `alpn`; a server
// accepts kAlpn and kProbeAlpn.
void configure_context(ssl_ctx_st* ctx, const std::array<std::uint8_t, 32>& ed25519_seed, bool server,
                       std::string_view alpn = kAlpn);

// The raw Ed25519 public key of the peer's certificate; nothing when it sent none or another key type.
std::optional<std::array<std::uint8_t, 32>> peer_ed25519_key(ssl_st* ssl);
// The protocol ALPN selected during the handshake ("" when none).
std::string selected_alpn(ssl_st* ssl);

}  // namespace st::lib::ssl
