#include "util/random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "util/strings.hpp"

namespace st::util {

void random_bytes(void* buf, std::size_t len) {
  auto* p = static_cast<unsigned char*>(buf);
  while (len > 0) {
    ssize_t n = ::getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    p += n;
    len -= static_cast<std::size_t>(n);
  }
}

std::string random_hex(std::size_t n) {
  std::vector<unsigned char> b(n);
  random_bytes(b.data(), n);
  return to_hex(b.data(), n);
}

}  // namespace st::util
