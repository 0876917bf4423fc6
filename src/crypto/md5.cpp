#include "crypto/md5.hpp"

#include "lib/ssl/digest.hpp"
#include "util/strings.hpp"

namespace st::crypto {

std::string md5_hex(std::string_view data) {
  auto raw = lib::ssl::md5(data);
  return util::to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

}  // namespace st::crypto
