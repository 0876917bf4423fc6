#include "lib/ssl/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace st::lib::ssl {

namespace {

std::string digest(std::string_view data, const EVP_MD* md, const char* name) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    throw std::runtime_error(std::string(name) + " is not available");
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string md5(std::string_view data) { return digest(data, EVP_md5(), "MD5"); }

std::string sha1(std::string_view data) { return digest(data, EVP_sha1(), "SHA-1"); }

std::string hmac_sha1_base64(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), mac, &len))
    throw std::runtime_error("HMAC-SHA1 is not available");
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string sha256(std::string_view data) { return digest(data, EVP_sha256(), "SHA-256"); }

}  // namespace st::lib::ssl
