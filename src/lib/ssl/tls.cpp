#include "lib/ssl/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace st::lib::ssl {

namespace {

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

[[noreturn]] void fail(const char* what) { throw TlsError(std::string(what) + ": " + openssl_reason()); }

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};

// The ALPN wire form of a protocol name: one length byte, then the name.
std::string alpn_wire(std::string_view name) { return std::string(1, static_cast<char>(name.size())) + std::string(name); }

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
  static const std::string w = alpn_wire(kAlpn) + alpn_wire(kProbeAlpn);
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(w.data()),
                            static_cast<unsigned>(w.size()), in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // a client that does not speak our protocol is refused
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// Self-signed certificates are expected: the identity is the key, checked against the NodeId after the
// handshake (the handshake itself proves possession of the certificate's private key).
int accept_self_signed(int, X509_STORE_CTX*) { return 1; }

}  // namespace

void configure_context(ssl_ctx_st* ctx, const std::array<std::uint8_t, 32>& seed, bool server,
                       std::string_view alpn) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) fail("cannot load the Ed25519 key");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) fail("cannot allocate a certificate");
  X509_set_version(cert.get(), 2);
  std::uint32_t serial = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(serial & 0x7fffffff));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("soundtime-node"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_set_pubkey(cert.get(), key.get()) != 1) fail("cannot set the certificate key");
  if (X509_sign(cert.get(), key.get(), nullptr) <= 0) fail("cannot sign the certificate");

  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 || SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
    fail("cannot require TLS 1.3");
  if (SSL_CTX_use_certificate(ctx, cert.get()) != 1) fail("cannot use the certificate");
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) fail("cannot use the private key");
  if (SSL_CTX_check_private_key(ctx) != 1) fail("the certificate does not match the key");
  if (SSL_CTX_set1_sigalgs_list(ctx, "ed25519") != 1) fail("cannot restrict signatures to Ed25519");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_self_signed);
  // No resumption: every connection presents (and proves) its certificate.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (server) {
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  } else {
    const auto w = alpn_wire(alpn);
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(w.data()), static_cast<unsigned>(w.size())) != 0)
      fail("cannot set ALPN");
  }
}

std::optional<std::array<std::uint8_t, 32>> peer_ed25519_key(ssl_st* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert) return std::nullopt;
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) return std::nullopt;
  std::array<std::uint8_t, 32> out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &len) != 1 || len != 32) return std::nullopt;
  return out;
}

std::string selected_alpn(ssl_st* ssl) {
  const unsigned char* p = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &p, &len);
  return p ? std::string(reinterpret_cast<const char*>(p), len) : std::string();
}

}  // namespace st::lib::ssl
