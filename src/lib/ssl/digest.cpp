#include "lib/ssl/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace st::lib::ssl {

std::string md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 is not available");
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string sha1(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha1(), nullptr) != 1)
    throw std::runtime_error("SHA-1 is not available");
  return std::string(reinterpret_cast<const char*>(digest), len);
}

}  // namespace st::lib::ssl
