// Signed address records: only the owner's signature makes a record acceptable, a newer one replaces an
// older one, records from the future are refused, and the book survives a restart through its file.
#include <gtest/gtest.h>

#include <filesystem>
#include <ctime>
#include <fstream>

#include "p2p/peer_exchange.hpp"
#include "p2p/protocol/messages.hpp"

using namespace st;
using namespace st::p2p;

namespace {

crypto::Identity identity(std::uint8_t seed) {
  crypto::Ed25519Seed s{};
  s.fill(seed);
  return crypto::Identity(s);
}

// Now: the book checks records against the clock when it loads them.
const std::uint64_t kNow = static_cast<std::uint64_t>(std::time(nullptr));

}  // namespace

TEST(PeerRecord, OwnersSignatureIsAccepted) {
  auto a = identity(1);
  auto r = sign_peer_record(a, {"127.0.0.1:11204", "[::1]:11204"}, kNow);
  EXPECT_EQ(r.node_id, a.node_id());
  EXPECT_EQ(r.signature.size(), 128u);
  EXPECT_EQ(check_peer_record(r, kNow), "");
}

TEST(PeerRecord, TamperedForgedOrFutureRecordsAreRefused) {
  auto a = identity(1), b = identity(2);
  auto r = sign_peer_record(a, {"127.0.0.1:11204"}, kNow);

  auto moved = r;
  moved.addresses = {"10.6.6.6:11204"};  // someone else's address for A
  EXPECT_EQ(check_peer_record(moved, kNow), "bad signature");
  auto older = r;
  older.timestamp = kNow - 1;
  EXPECT_EQ(check_peer_record(older, kNow), "bad signature");

  auto forged = sign_peer_record(b, {"10.6.6.6:11204"}, kNow);
  forged.node_id = a.node_id();  // B signing for A
  EXPECT_EQ(check_peer_record(forged, kNow), "bad signature");

  auto future = sign_peer_record(a, {"127.0.0.1:11204"}, kNow + kRecordMaxFutureSeconds + 1);
  EXPECT_EQ(check_peer_record(future, kNow), "timestamp in the future");
  EXPECT_EQ(check_peer_record(sign_peer_record(a, {"127.0.0.1:11204"}, kNow + 60), kNow), "");

  EXPECT_EQ(check_peer_record(sign_peer_record(a, {"no-port"}, kNow), kNow), "bad address 'no-port'");
  EXPECT_EQ(check_peer_record(sign_peer_record(a, {}, kNow), kNow), "no address");
  auto upper = r;
  for (auto& c : upper.node_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(check_peer_record(upper, kNow), "node_id is not a lowercase NodeId");
  auto short_sig = r;
  short_sig.signature.resize(64);
  EXPECT_EQ(check_peer_record(short_sig, kNow), "signature is not 64 bytes of hex");
}

TEST(PeerRecordBook, NewerReplacesOlderAndSurvivesARestart) {
  auto dir = std::filesystem::temp_directory_path() / ("st-records-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "peer_records.json").string();
  auto a = identity(1), b = identity(2);
  {
    PeerRecordBook book(path);
    EXPECT_TRUE(book.offer(sign_peer_record(a, {"127.0.0.1:1000"}, kNow)));
    EXPECT_FALSE(book.offer(sign_peer_record(a, {"127.0.0.1:999"}, kNow - 10)));  // older: ignored
    EXPECT_FALSE(book.offer(sign_peer_record(a, {"127.0.0.1:999"}, kNow)));       // same age: ignored
    EXPECT_TRUE(book.offer(sign_peer_record(a, {"127.0.0.1:2000"}, kNow + 5)));
    EXPECT_TRUE(book.offer(sign_peer_record(b, {"127.0.0.2:3000"}, kNow)));
    EXPECT_EQ(book.find(a.node_id())->addresses, std::vector<std::string>{"127.0.0.1:2000"});
    book.save();
  }
  {
    PeerRecordBook book(path);
    EXPECT_EQ(book.size(), 2u);
    EXPECT_EQ(book.find(a.node_id())->addresses, std::vector<std::string>{"127.0.0.1:2000"});
    book.forget(b.node_id());
    book.save();
  }
  // A file edited by hand (an address changed) loses the record it broke, not the others.
  {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(PeerRecordBook(path).size(), 1u);
    auto at = text.find("127.0.0.1:2000");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 14, "127.0.0.9:2000");
    std::ofstream(path, std::ios::trunc) << text;
    EXPECT_EQ(PeerRecordBook(path).size(), 0u);
    std::ofstream(path, std::ios::trunc) << "not json";
    EXPECT_EQ(PeerRecordBook(path).size(), 0u);
  }
  std::filesystem::remove_all(dir);
}

TEST(PeerRecord, TravelsInPeerExchangeBesideTheOriginalsIdList) {
  auto a = identity(1);
  PeerExchange px{{a.node_id()}, {sign_peer_record(a, {"127.0.0.1:11204"}, kNow)}};
  auto text = encode_message(px);
  EXPECT_NE(text.find("\"peers\":["), std::string::npos);
  EXPECT_NE(text.find("\"records\":[{"), std::string::npos);
  auto d = decode_message(text);
  ASSERT_TRUE(d.message) << d.error;
  auto& back = std::get<PeerExchange>(*d.message);
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_EQ(check_peer_record(back.records[0], kNow), "");
  // The original's message (no records) still decodes, and ours without records looks like it.
  auto orig = decode_message(R"({"PeerExchange":{"peers":["x"]}})");
  ASSERT_TRUE(orig.message);
  EXPECT_TRUE(std::get<PeerExchange>(*orig.message).records.empty());
  EXPECT_EQ(encode_message(PeerExchange{{"x"}, {}}), R"({"PeerExchange":{"peers":["x"]}})");
  // Bad shapes are refused with a reason.
  EXPECT_FALSE(decode_message(R"({"PeerExchange":{"peers":[],"records":[{"node_id":"x"}]}})").message);
  EXPECT_FALSE(decode_message(R"({"PeerExchange":{"peers":[],"records":[{"node_id":"x","addresses":["a","a","a","a","a","a","a","a","a"],"timestamp":1,"signature":""}]}})").message);
  EXPECT_FALSE(decode_message(R"({"PeerExchange":{"peers":[],"records":"x"}})").message);
}

// Issue 17, item 12: what a learned record makes us dial depends on where it came from.
TEST(PeerExchange, LearnedAddressesAreDialledOnlyWhereTheyFit) {
  std::vector<std::string> all{"127.0.0.1:1", "169.254.1.2:2", "[fe80::1]:3", "10.0.0.5:4",  "100.64.0.1:5",
                               "80.1.2.3:6", "[2a01:4f8::1]:7", "[::1]:8", "0.0.0.0:9", "224.0.0.1:10",
                               "node.example:11"};
  using V = std::vector<std::string>;
  EXPECT_EQ(dialable_learned_addresses(all, AddressScope::global, false),
            (V{"80.1.2.3:6", "[2a01:4f8::1]:7", "node.example:11"}))
      << "a peer on the internet never has us dial loopback, link-local or home addresses";
  EXPECT_EQ(dialable_learned_addresses(all, AddressScope::private_net, false),
            (V{"10.0.0.5:4", "100.64.0.1:5", "80.1.2.3:6", "[2a01:4f8::1]:7", "node.example:11"}));
  EXPECT_EQ(dialable_learned_addresses(all, AddressScope::loopback, false),
            (V{"127.0.0.1:1", "10.0.0.5:4", "100.64.0.1:5", "80.1.2.3:6", "[2a01:4f8::1]:7", "[::1]:8",
               "node.example:11"}))
      << "link-local never";
  EXPECT_EQ(dialable_learned_addresses(all, AddressScope::global, true).size(), all.size()) << "a lab allows all";
}
