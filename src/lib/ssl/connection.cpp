#include "lib/ssl/connection.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "lib/ssl/tls.hpp"

namespace st::lib::ssl {

namespace {

std::string describe(unsigned long e) {
  const char* reason = ERR_reason_error_string(e);
  if (!reason) return "TLS error " + std::to_string(e);
  std::string out(reason);
  if (const char* lib = ERR_lib_error_string(e)) out += std::string(" (") + lib + ")";
  return out;
}

// A socket BIO that sends with MSG_NOSIGNAL: OpenSSL's own writes with write(2), which raises SIGPIPE
// when the peer has gone (fatal unless the whole process ignores it).
struct SocketBio {
  int fd;
  bool eof = false;
};

int bio_write(BIO* b, const char* buf, int len) {
  auto* s = static_cast<SocketBio*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  ssize_t n = ::send(s->fd, buf, static_cast<std::size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* buf, int len) {
  auto* s = static_cast<SocketBio*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  ssize_t n = ::recv(s->fd, buf, static_cast<std::size_t>(len), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(b);
  if (n == 0) s->eof = true;
  return static_cast<int>(n);
}

int bio_puts(BIO* b, const char* str) { return bio_write(b, str, static_cast<int>(std::strlen(str))); }

long bio_ctrl(BIO* b, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      return static_cast<SocketBio*>(BIO_get_data(b))->eof ? 1 : 0;
    default:
      return 0;
  }
}

int bio_destroy(BIO* b) {
  delete static_cast<SocketBio*>(BIO_get_data(b));
  BIO_set_data(b, nullptr);
  return 1;
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* m = [] {
    BIO_METHOD* meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "soundtime socket");
    if (!meth || BIO_meth_set_write(meth, bio_write) != 1 || BIO_meth_set_read(meth, bio_read) != 1 ||
        BIO_meth_set_puts(meth, bio_puts) != 1 || BIO_meth_set_ctrl(meth, bio_ctrl) != 1 ||
        BIO_meth_set_destroy(meth, bio_destroy) != 1)
      throw TlsError("cannot set up the socket BIO");
    return meth;
  }();
  return m;
}

}  // namespace

Context::Context(const std::array<std::uint8_t, 32>& ed25519_seed, bool server, std::string_view alpn)
    : ctx_(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method())) {
  if (!ctx_) throw TlsError("cannot create a TLS context");
  try {
    configure_context(ctx_, ed25519_seed, server, alpn);
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

Context::~Context() noexcept { SSL_CTX_free(ctx_); }

Connection::Connection(const Context& ctx, int fd, bool server) : ssl_(SSL_new(ctx.native_handle())) {
  if (!ssl_) throw TlsError("cannot create a TLS connection");
  BIO* bio = BIO_new(socket_method());
  if (!bio) {
    SSL_free(ssl_);
    throw TlsError("cannot attach TLS to the socket");
  }
  BIO_set_data(bio, new SocketBio{fd});
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);  // (owned by ssl_ from here)
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Read-ahead fills OpenSSL's buffer with what the socket has, not one record header and then its
  // body (two recv per record). Its default size is kept: OpenSSL moves the unread rest of the buffer to
  // its front before each record, so a larger one costs more copying than the system calls it saves
  // (measured: 64 KiB no better, 256 KiB worse).
  SSL_set_read_ahead(ssl_, 1);
  if (server) SSL_set_accept_state(ssl_);
  else SSL_set_connect_state(ssl_);
}

Connection::~Connection() noexcept { SSL_free(ssl_); }

Connection::Result Connection::finish(int ok, std::size_t bytes) {
  if (ok > 0) return {Status::done, bytes};
  int err = SSL_get_error(ssl_, ok);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return {Status::want_read};
    case SSL_ERROR_WANT_WRITE:
      return {Status::want_write};
    case SSL_ERROR_ZERO_RETURN:
      return {Status::closed};
    case SSL_ERROR_SYSCALL: {
      int saved = errno;
      unsigned long e = ERR_get_error();
      ERR_clear_error();
      if (e == 0 && saved == 0) return {Status::closed};  // end of stream
      error_ = e ? describe(e) : std::strerror(saved);
      return {Status::failed};
    }
    default: {
      unsigned long e = ERR_peek_error();
      ERR_clear_error();
      if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) return {Status::closed};
      error_ = e ? describe(e) : "TLS failure";
      return {Status::failed};
    }
  }
}

Connection::Result Connection::handshake() {
  ERR_clear_error();
  errno = 0;
  return finish(SSL_do_handshake(ssl_), 0);
}

Connection::Result Connection::read(void* buf, std::size_t n) {
  ERR_clear_error();
  errno = 0;
  std::size_t got = 0;
  int ok = SSL_read_ex(ssl_, buf, n, &got);
  return finish(ok, got);
}

Connection::Result Connection::write(const void* buf, std::size_t n) {
  ERR_clear_error();
  errno = 0;
  std::size_t put = 0;
  int ok = SSL_write_ex(ssl_, buf, n, &put);
  return finish(ok, put);
}

}  // namespace st::lib::ssl
