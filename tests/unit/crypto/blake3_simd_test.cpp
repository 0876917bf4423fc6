// Every BLAKE3 code path (portable, SSE4.1, AVX2, AVX-512: each forced in turn, as far as this CPU has
// them) against the official vectors and against each other, with inputs of every awkward length.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "crypto/blake3.hpp"
#include "crypto/blake3_backend.hpp"
#include "crypto/blake3_range.hpp"
#include "util/strings.hpp"

using namespace st::crypto;

namespace {

constexpr Blake3Backend kAll[] = {Blake3Backend::portable, Blake3Backend::sse41, Blake3Backend::avx2,
                                  Blake3Backend::avx512};

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i % 251);
  return v;
}

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

Blake3::Result hash_in_pieces(const std::vector<std::uint8_t>& data, std::size_t piece) {
  Blake3 h;
  for (std::size_t off = 0; off < data.size(); off += piece)
    h.update(data.data() + off, std::min(piece, data.size() - off));
  return h.finish();
}

// Restores the automatic choice after each test.
class Blake3Paths : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = blake3_backend(); }
  void TearDown() override { blake3_force_backend(saved_); }
  std::vector<Blake3Backend> supported() {
    std::vector<Blake3Backend> v;
    for (auto b : kAll)
      if (blake3_backend_supported(b)) v.push_back(b);
    return v;
  }
  Blake3Backend saved_{};
};

}  // namespace

TEST_F(Blake3Paths, PortableIsAlwaysThereAndForcingWorks) {
  EXPECT_TRUE(blake3_backend_supported(Blake3Backend::portable));
  for (auto b : kAll) {
    if (!blake3_backend_supported(b)) {
      auto before = blake3_backend();
      EXPECT_FALSE(blake3_force_backend(b)) << blake3_backend_name(b);
      EXPECT_EQ(blake3_backend(), before);
      continue;
    }
    ASSERT_TRUE(blake3_force_backend(b));
    EXPECT_EQ(blake3_backend(), b) << blake3_backend_name(b);
  }
  std::printf("BLAKE3 paths on this CPU:");
  for (auto b : supported()) std::printf(" %s", blake3_backend_name(b));
  std::printf("\n");
}

TEST_F(Blake3Paths, OfficialTestVectorsOnEveryPath) {
  std::ifstream in(std::string(SOUNDTIME_SHARED_DIR) + "/testdata/blake3/test_vectors.json");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = boost::json::parse(ss.str()).as_object();
  for (auto b : supported()) {
    ASSERT_TRUE(blake3_force_backend(b));
    int checked = 0;
    for (const auto& c : doc.at("cases").as_array()) {
      auto len = static_cast<std::size_t>(c.at("input_len").to_number<std::uint64_t>());
      std::string expected(c.at("hash").as_string());
      auto data = pattern(len);
      Blake3 h;
      h.update(data.data(), data.size());
      auto xof = h.finish_xof(expected.size() / 2);
      EXPECT_EQ(st::util::to_hex(xof.data(), xof.size()), expected) << blake3_backend_name(b) << " len " << len;
      for (std::size_t piece : {1u, 64u, 1024u, 16383u, 16384u, 16385u, 1u << 20}) {
        EXPECT_EQ(to_hex(hash_in_pieces(data, piece).root), expected.substr(0, 64))
            << blake3_backend_name(b) << " len " << len << " pieces " << piece;
      }
      ++checked;
    }
    EXPECT_GE(checked, 30);
  }
}

TEST_F(Blake3Paths, EveryPathAgreesOnAwkwardLengths) {
  // Around chunk, group, lane-count (4, 8, 16 chunks), batch (32 groups) and tree boundaries.
  std::vector<std::size_t> lengths;
  for (std::size_t base : {0ul, 1024ul, 4096ul, 8192ul, 16384ul, 32768ul, 65536ul, 131072ul, 524288ul,
                           32ul * 16384, 33ul * 16384, 47ul * 16384, 64ul * 16384, 100ul * 16384})
    for (long d : {-1025l, -1024l, -1l, 0l, 1l, 63l, 64l, 1023l, 1024l, 1025l})
      if (static_cast<long>(base) + d >= 0) lengths.push_back(static_cast<std::size_t>(static_cast<long>(base) + d));
  ASSERT_TRUE(blake3_force_backend(Blake3Backend::portable));
  std::vector<Blake3::Result> want;
  std::vector<std::vector<std::uint8_t>> inputs;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    inputs.push_back(random_bytes(lengths[i], i));
    want.push_back(hash_in_pieces(inputs.back(), 1 << 20));
  }
  for (auto b : supported()) {
    ASSERT_TRUE(blake3_force_backend(b));
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      for (std::size_t piece : {1000u, 16384u, 50000u, 1u << 20}) {
        if (piece == 1000 && lengths[i] > 200'000) continue;  // slow enough already
        auto got = hash_in_pieces(inputs[i], piece);
        EXPECT_EQ(got.root, want[i].root) << blake3_backend_name(b) << " len " << lengths[i] << " pieces " << piece;
        EXPECT_EQ(got.outboard, want[i].outboard) << blake3_backend_name(b) << " len " << lengths[i];
      }
      EXPECT_TRUE(blake3_verify_outboard(want[i].root, inputs[i].data(), inputs[i].size(), want[i].outboard))
          << blake3_backend_name(b) << " len " << lengths[i];
    }
  }
}

TEST_F(Blake3Paths, GroupCvsMatchTheSubtreeOfEachGroupAtAnyCount) {
  auto data = random_bytes(70 * kBlake3GroupLen, 7);
  for (auto b : supported()) {
    ASSERT_TRUE(blake3_force_backend(b));
    for (std::size_t n : {1ul, 2ul, 3ul, 31ul, 32ul, 33ul, 70ul}) {
      for (std::uint64_t first : {0ull, 5ull, (1ull << 28) + 3}) {  // large counters cross 2^32 chunks
        std::vector<Blake3Hash> cvs(n);
        blake3_group_cvs(data.data(), n, first, cvs.data());
        blake3_force_backend(Blake3Backend::portable);
        for (std::size_t g = 0; g < n; ++g) {
          // Unaligned chunk number: the portable recursion, never the batched path.
          std::uint64_t chunk = (first + g) * kBlake3GroupChunks;
          Blake3Hash left = blake3_subtree_cv(data.data() + g * kBlake3GroupLen, kBlake3GroupLen / 2, chunk);
          Blake3Hash right = blake3_subtree_cv(data.data() + g * kBlake3GroupLen + kBlake3GroupLen / 2,
                                               kBlake3GroupLen / 2, chunk + kBlake3GroupChunks / 2);
          EXPECT_EQ(cvs[g], blake3_parent_cv(left, right, false))
              << blake3_backend_name(b) << " n " << n << " first " << first << " group " << g;
        }
        blake3_force_backend(b);
      }
    }
  }
}

TEST_F(Blake3Paths, VerifiedRangesOnEveryPath) {
  std::size_t len = 40 * kBlake3GroupLen + 777;
  auto data = random_bytes(len, 9);
  auto r = hash_in_pieces(data, 1 << 20);
  std::uint64_t groups = blake3_group_count(len);
  for (auto b : supported()) {
    ASSERT_TRUE(blake3_force_backend(b));
    for (auto [first, end] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
             {0, groups}, {0, 1}, {3, 20}, {17, 41}, {40, 41}, {8, 40}}) {
      bool ok = false;
      auto proof = blake3_range_proof(r.outboard.data(), r.outboard.size(), len, first, end, ok);
      ASSERT_TRUE(ok);
      const auto* d = data.data() + first * kBlake3GroupLen;
      auto dlen = blake3_range_bytes(len, first, end);
      EXPECT_TRUE(blake3_verify_range(r.root, len, first, end, proof.data(), proof.size(), d, dlen))
          << blake3_backend_name(b) << " [" << first << "," << end << ")";
      std::vector<std::uint8_t> bad(d, d + dlen);
      bad[dlen / 2] ^= 4;
      EXPECT_FALSE(blake3_verify_range(r.root, len, first, end, proof.data(), proof.size(), bad.data(), dlen))
          << blake3_backend_name(b) << " flipped bit in [" << first << "," << end << ")";
    }
  }
}

// Not a pass/fail check: prints each path's speed (ctest -V, or run the binary) for the report.
TEST_F(Blake3Paths, ThroughputOfEachPath) {
  auto data = random_bytes(32u << 20, 3);
  for (auto b : supported()) {
    ASSERT_TRUE(blake3_force_backend(b));
    auto t0 = std::chrono::steady_clock::now();
    auto r = hash_in_pieces(data, 1 << 20);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("BLAKE3 %-8s %7.0f MB/s (one core, 32 MiB in 1 MiB updates)\n", blake3_backend_name(b),
                static_cast<double>(data.size()) / s / 1e6);
    EXPECT_EQ(r.size, data.size());
  }
}
