#pragma once
#include <cstddef>
#include <string>

namespace st::util {

// Fills buf with bytes from the kernel's CSPRNG (getrandom); throws when it cannot.
void random_bytes(void* buf, std::size_t len);

// n random bytes, hex-encoded (2n characters).
std::string random_hex(std::size_t n);

}  // namespace st::util
