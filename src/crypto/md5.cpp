#include "crypto/md5.hpp"

#include "lib/ssl/digest.hpp"

namespace st::crypto {

std::string md5_hex(std::string_view data) { return lib::ssl::md5_hex(data); }

}  // namespace st::crypto
