// BLAKE3 against the official test vectors, the b3sum CLI, and outboard verification with tampering.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "crypto/blake3.hpp"
#include "util/strings.hpp"

using namespace st::crypto;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i % 251);
  return v;
}

std::string hex(const std::vector<std::uint8_t>& v) { return st::util::to_hex(v.data(), v.size()); }

Blake3::Result hash_in_pieces(const std::vector<std::uint8_t>& data, std::size_t piece) {
  Blake3 h;
  for (std::size_t off = 0; off < data.size(); off += piece)
    h.update(data.data() + off, std::min(piece, data.size() - off));
  return h.finish();
}

}  // namespace

TEST(Blake3, OfficialTestVectors) {
  std::ifstream in(std::string(SOUNDTIME_SHARED_DIR) + "/testdata/blake3/test_vectors.json");
  ASSERT_TRUE(in) << "missing " << SOUNDTIME_SHARED_DIR << "/testdata/blake3/test_vectors.json";
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = boost::json::parse(ss.str()).as_object();
  int checked = 0;
  for (const auto& c : doc.at("cases").as_array()) {
    auto len = static_cast<std::size_t>(c.at("input_len").to_number<std::uint64_t>());
    std::string expected(c.at("hash").as_string());
    auto data = pattern(len);
    Blake3 h;
    h.update(data.data(), data.size());
    EXPECT_EQ(hex(h.finish_xof(expected.size() / 2)), expected) << "extended output, input_len " << len;
    for (std::size_t piece : {1u, 63u, 1024u, 16384u, 100000u}) {
      EXPECT_EQ(to_hex(hash_in_pieces(data, piece).root), expected.substr(0, 64)) << len << " in pieces of " << piece;
    }
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(Blake3, MatchesB3sumOnGeneratedFiles) {
  auto dir = std::filesystem::temp_directory_path() / "st-b3sum-test";
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(42);
  for (std::size_t len : {0ul, 1ul, 1023ul, 16383ul, 16384ul, 16385ul, 32768ul, 32769ul, 1000000ul, 3145731ul}) {
    std::vector<std::uint8_t> data(len);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    auto path = dir / ("f" + std::to_string(len));
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()),
                                                static_cast<std::streamsize>(len));
    std::string cmd = "b3sum --no-names " + path.string();
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_TRUE(p);
    char buf[128] = {};
    ASSERT_TRUE(fgets(buf, sizeof buf, p)) << "b3sum produced nothing (is it installed?)";
    ASSERT_EQ(pclose(p), 0);
    EXPECT_EQ(to_hex(hash_in_pieces(data, 8192).root), std::string(buf, 64)) << "length " << len;
  }
  std::filesystem::remove_all(dir);
}

TEST(Blake3, OutboardHasOnePairPerGroupJoinAndVerifies) {
  for (std::size_t len : {0ul, 1ul, 16383ul, 16384ul, 16385ul, 32768ul, 32769ul, 100000ul, 5'000'000ul}) {
    auto data = pattern(len);
    auto r = hash_in_pieces(data, 7777);
    std::size_t groups = len == 0 ? 1 : (len + kBlake3GroupLen - 1) / kBlake3GroupLen;
    EXPECT_EQ(r.outboard.size(), (groups - 1) * 64) << len;
    EXPECT_EQ(r.size, len);
    EXPECT_EQ(r.root, blake3(std::string_view(reinterpret_cast<const char*>(data.data()), len)));
    EXPECT_TRUE(blake3_verify_outboard(r.root, data.data(), len, r.outboard)) << len;
  }
}

TEST(Blake3, TamperingIsDetected) {
  auto data = pattern(200'000);
  auto r = hash_in_pieces(data, 65536);
  ASSERT_TRUE(blake3_verify_outboard(r.root, data.data(), data.size(), r.outboard));
  for (std::size_t pos : {0ul, 16383ul, 16384ul, 100'000ul, 199'999ul}) {
    auto bad = data;
    bad[pos] ^= 0x01;
    EXPECT_FALSE(blake3_verify_outboard(r.root, bad.data(), bad.size(), r.outboard)) << "data bit at " << pos;
  }
  for (std::size_t pos = 0; pos < r.outboard.size(); pos += 97) {
    auto bad = r.outboard;
    bad[pos] ^= 0x80;
    EXPECT_FALSE(blake3_verify_outboard(r.root, data.data(), data.size(), bad)) << "outboard byte " << pos;
  }
  auto wrong_root = r.root;
  wrong_root[31] ^= 1;
  EXPECT_FALSE(blake3_verify_outboard(wrong_root, data.data(), data.size(), r.outboard));
  auto short_outboard = r.outboard;
  short_outboard.resize(short_outboard.size() - 64);
  EXPECT_FALSE(blake3_verify_outboard(r.root, data.data(), data.size(), short_outboard));
}
