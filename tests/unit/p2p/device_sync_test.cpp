#include <gtest/gtest.h>

#include "p2p/device_sync.hpp"

using namespace st::p2p;

namespace {

const std::string kHash(64, 'a');

DeviceSyncMessage sample() {
  DeviceSyncMessage m;
  m.from_user = "alice";
  m.to_user = "alice@home";
  m.state.favorites = {{kHash, 10}};
  m.state.removed_favorites = {{std::string(64, 'b'), 20}};
  st::model::SyncPlaylist p;
  p.id = "0b0e9a8e-4f2a-4d59-8a3c-2f6c1b7d9e11";
  p.name = "Road";
  p.description = "for the car";
  p.is_public = true;
  p.updated_at = 30;
  p.hashes = {kHash, std::string(64, 'c')};
  m.state.playlists = {p};
  m.state.deleted_playlists = {{"1b0e9a8e-4f2a-4d59-8a3c-2f6c1b7d9e11", 40}};
  return m;
}

}  // namespace

TEST(DeviceSync, RoundTrips) {
  auto wire = encode_device_sync(sample());
  EXPECT_TRUE(is_device_sync(wire));
  EXPECT_TRUE(is_device_sync("  {\n \"DeviceSync\": {}}"));
  EXPECT_FALSE(is_device_sync("\"Ping\""));
  EXPECT_FALSE(is_device_sync("{\"DeviceSyncX\":{}}"));
  auto back = decode_device_sync(wire, 1 << 20);
  EXPECT_EQ(back.from_user, "alice");
  EXPECT_EQ(back.to_user, "alice@home");
  ASSERT_EQ(back.state.favorites.size(), 1u);
  EXPECT_EQ(back.state.favorites[0].hash, kHash);
  EXPECT_EQ(back.state.favorites[0].at, 10);
  ASSERT_EQ(back.state.playlists.size(), 1u);
  EXPECT_EQ(back.state.playlists[0].name, "Road");
  EXPECT_EQ(back.state.playlists[0].description, "for the car");
  EXPECT_TRUE(back.state.playlists[0].is_public);
  EXPECT_EQ(back.state.playlists[0].hashes.size(), 2u);
  EXPECT_EQ(back.state.deleted_playlists.at(0).at, 40);
}

TEST(DeviceSync, RefusesBadInputWithAReason) {
  auto wire = encode_device_sync(sample());
  auto refused = [](const std::string& json) {
    try {
      decode_device_sync(json, 1 << 20);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(refused("not json"), "");
  EXPECT_NE(refused("{\"DeviceSync\":[]}"), "");
  EXPECT_NE(refused("{\"DeviceSync\":{\"from_user\":\"a\"}}"), "");
  auto with = [&](const std::string& from, const std::string& to) {
    auto s = wire;
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  EXPECT_NE(refused(with(kHash, "zz")), "");                                          // not a hash
  EXPECT_NE(refused(with("0b0e9a8e-4f2a-4d59-8a3c-2f6c1b7d9e11", "../x")), "");      // not a UUID
  EXPECT_NE(refused(with("\"alice\"", "\"\"")), "");                                 // empty user
  EXPECT_NE(refused(with("\"at\":10", "\"at\":-1")), "");                            // negative time
  EXPECT_NE(refused(with("\"is_public\":true", "\"is_public\":1")), "");
  EXPECT_THROW(decode_device_sync(wire, wire.size() - 1), std::invalid_argument);  // over the frame limit
  std::string deep = "{\"DeviceSync\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_NE(refused(deep), "");
}
