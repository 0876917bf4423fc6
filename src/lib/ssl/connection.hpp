#pragma once
// One TLS connection over a non-blocking socket, OpenSSL reading and writing the descriptor itself: records
// go between the kernel and OpenSSL's own buffers, with no memory BIO in between (Asio's TLS stream copies
// every byte twice more each way through one).
// The caller owns the socket; when a call answers want_read or want_write it waits until the socket is
// ready and calls again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct ssl_ctx_st;
struct ssl_st;

namespace st::lib::ssl {

// An SSL_CTX for one side of a P2P link (see configure_context), owned.
class Context {
 public:
  // A client offers `alpn` (kAlpn, or kProbeAlpn for dial-backs). Throws TlsError.
  Context(const std::array<std::uint8_t, 32>& ed25519_seed, bool server, std::string_view alpn = "soundtime/p2p/1");
  ~Context() noexcept;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ssl_ctx_st* native_handle() const { return ctx_; }

 private:
  ssl_ctx_st* ctx_;
};

class Connection {
 public:
  enum class Status { done, want_read, want_write, closed, failed };
  struct Result {
    Status status = Status::done;
    std::size_t bytes = 0;
  };

  // fd: a connected, non-blocking TCP socket, not owned. Throws TlsError.
  Connection(const Context& ctx, int fd, bool server);
  ~Connection() noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  ssl_st* native_handle() const { return ssl_; }
  Result handshake();
  // Up to n decrypted bytes (at least one when done); closed at the peer's close_notify or end of stream.
  Result read(void* buf, std::size_t n);
  // Encrypts and sends up to n bytes (at least one when done: partial writes are allowed; call again with
  // the rest, from wherever it now lies).
  Result write(const void* buf, std::size_t n);
  // Why the last call failed, in OpenSSL's words.
  const std::string& error() const { return error_; }

 private:
  Result finish(int ok, std::size_t bytes);

  ssl_st* ssl_;
  std::string error_;
};

}  // namespace st::lib::ssl
