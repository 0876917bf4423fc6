#include "p2p/reach/address_book.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace st::p2p {
namespace {

const std::string kNode(64, 'a');

std::vector<std::string> order(const AddressBook& b) {
  std::vector<std::string> out;
  for (const auto& c : b.candidates(kNode)) out.push_back(c.address);
  return out;
}

TEST(AddressBook, TheAddressThatWorkedStaysFirstWhateverRecordsSay) {
  AddressBook b("");
  b.add(kNode, "198.18.0.13:11204", AddressSource::observed);
  b.succeeded(kNode, "198.18.0.13:11204");
  // A newer record of the peer names its private address: a candidate, never a replacement.
  for (int i = 0; i < 5; ++i) {
    b.replace_source(kNode, AddressSource::record, {"10.0.3.2:11204"});
    EXPECT_EQ(order(b).front(), "198.18.0.13:11204") << i;
  }
  EXPECT_EQ(order(b).size(), 2u);
}

TEST(AddressBook, DialOrderFollowsSources) {
  AddressBook b("");
  b.add(kNode, "1.1.1.1:1", AddressSource::observed);
  b.add(kNode, "2.2.2.2:2", AddressSource::dht);
  b.add(kNode, "3.3.3.3:3", AddressSource::configured);
  EXPECT_EQ(order(b), (std::vector<std::string>{"3.3.3.3:3", "2.2.2.2:2", "1.1.1.1:1"}));
  // The better source of the same address wins.
  b.add(kNode, "1.1.1.1:1", AddressSource::configured);
  EXPECT_EQ(b.candidates(kNode).front().source == AddressSource::configured, true);
}

TEST(AddressBook, RepeatedFailuresGoLast) {
  AddressBook b("");
  b.add(kNode, "3.3.3.3:3", AddressSource::configured);
  b.add(kNode, "2.2.2.2:2", AddressSource::record);
  for (int i = 0; i < 3; ++i) b.failed(kNode, "3.3.3.3:3");
  EXPECT_EQ(order(b).front(), "2.2.2.2:2");
}

TEST(AddressBook, ANewerRecordDropsItsOldUntriedAddresses) {
  AddressBook b("");
  b.replace_source(kNode, AddressSource::record, {"4.4.4.4:4", "5.5.5.5:5"});
  b.replace_source(kNode, AddressSource::record, {"6.6.6.6:6"});
  EXPECT_EQ(order(b), (std::vector<std::string>{"6.6.6.6:6"}));
}

TEST(AddressBook, BoundedPerPeerAndKeepsConfiguredOnes) {
  AddressBook b("");
  b.add(kNode, "9.9.9.9:9", AddressSource::configured);
  for (int i = 0; i < 100; ++i) b.add(kNode, "8.8.8." + std::to_string(i) + ":1", AddressSource::observed);
  auto c = b.candidates(kNode);
  EXPECT_EQ(c.size(), AddressBook::kMaxPerPeer);
  EXPECT_EQ(c.front().address, "9.9.9.9:9");
}

TEST(AddressBook, SurvivesARestartAndIgnoresABadFile) {
  auto dir = std::filesystem::temp_directory_path() / ("st-book-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "peer_addresses.json").string();
  {
    AddressBook b(path);
    b.add(kNode, "7.7.7.7:7", AddressSource::dht);
    b.succeeded(kNode, "7.7.7.7:7");
    b.save();
  }
  {
    AddressBook b(path);
    auto c = b.candidates(kNode);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].source, AddressSource::dht);
    EXPECT_GT(c[0].last_ok, 0);
  }
  {
    std::ofstream(path) << "{not json";
    AddressBook b(path);
    EXPECT_EQ(b.size(), 0u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace st::p2p
