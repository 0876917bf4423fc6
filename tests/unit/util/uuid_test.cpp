#include <thread>
#include <chrono>
#include <gtest/gtest.h>

#include <set>

#include "util/uuid.hpp"

using namespace st::util;

TEST(Uuid, NewUuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = new_uuid();
    ASSERT_TRUE(is_uuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, ValidationAndNormalisation) {
  EXPECT_TRUE(is_uuid("123E4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_EQ(normalize_uuid("123E4567-E89B-12D3-A456-426614174000"), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_FALSE(normalize_uuid("../etc/passwd"));
}

TEST(Uuid, TimeOrderedIdsAreVersion7AndSortByCreation) {
  auto unix_millis = [] {
    return static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  };
  auto lower = unix_millis();
  auto a = st::util::new_time_uuid();
  auto upper = unix_millis();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto b = st::util::new_time_uuid();
  EXPECT_TRUE(st::util::is_uuid(a));
  EXPECT_EQ(a[14], '7');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  EXPECT_LT(a, b);  // made in a later millisecond: sorts after
  EXPECT_NE(a.substr(15), b.substr(15));
  // The first 48 bits are the Unix time in milliseconds when it was made.
  auto stamp = std::stoull(a.substr(0, 8) + a.substr(9, 4), nullptr, 16);
  EXPECT_GE(stamp, lower);
  EXPECT_GE(upper, stamp);
}
