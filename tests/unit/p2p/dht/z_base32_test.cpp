#include "p2p/dht/z_base32.hpp"

#include <gtest/gtest.h>

#include "p2p/dht/pkarr.hpp"

namespace st::p2p::dht {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(ZBase32, KnownVectors) {
  // Zimmermann's alphabet on ASCII text (vectors shared by z-base-32 implementations).
  EXPECT_EQ(z32_encode(bytes_of("hello")), "pb1sa5dx");
  EXPECT_EQ(z32_encode(bytes_of("hello world!")), "pb1sa5dxrb5s6huccooo");
  EXPECT_EQ(z32_decode("pb1sa5dxrb5s6huccooo"), bytes_of("hello world!"));
  EXPECT_EQ(z32_encode({}), "");
}

TEST(ZBase32, PkarrKeyVector) {
  // pubky/pkarr keys.rs: the key behind "yg4gxe7z1r7mr6orids9fh95y7gxhdsxjqi6nngsxxtakqaxr5no".
  const std::vector<std::uint8_t> key{1,   180, 103, 163, 183, 145, 58,  178, 122, 4,   168, 237, 242, 243, 251, 7,
                                      76,  254, 14,  207, 75,  171, 225, 8,   214, 123, 227, 133, 59,  15,  38,  197};
  EXPECT_EQ(z32_encode(key), "yg4gxe7z1r7mr6orids9fh95y7gxhdsxjqi6nngsxxtakqaxr5no");
  EXPECT_EQ(z32_decode("yg4gxe7z1r7mr6orids9fh95y7gxhdsxjqi6nngsxxtakqaxr5no"), key);
  EXPECT_EQ(z32_decode("YG4GXE7Z1R7MR6ORIDS9FH95Y7GXHDSXJQI6NNGSXXTAKQAXR5NO"), key);
}

TEST(ZBase32, RoundTripsEveryLength) {
  std::vector<std::uint8_t> data;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(z32_decode(z32_encode(data)), data) << n;
    data.push_back(static_cast<std::uint8_t>(n * 37 + 11));
  }
}

TEST(ZBase32, RejectsForeignCharactersAndDanglingBits) {
  EXPECT_FALSE(z32_decode("pb1sa5dv"));   // 'v' is not in the alphabet
  EXPECT_FALSE(z32_decode("pb1sa5d!"));
  EXPECT_FALSE(z32_decode("pb1sa5dx9"));  // 5 dangling bits: not a whole byte
  EXPECT_FALSE(z32_decode("yb"));         // the padding bits are not zero
}

}  // namespace
}  // namespace st::p2p::dht
