// The node key file: created 0600 in hex, read back in both of the original's formats, refused otherwise.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypto/identity.hpp"
#include "lib/sodium/sodium.hpp"
#include "util/random.hpp"

using namespace st;

namespace {

class IdentityFile : public ::testing::Test {
 protected:
  void SetUp() override {
    lib::sodium::init();
    dir_ = std::filesystem::temp_directory_path() / ("st-id-" + util::random_hex(6));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes, mode_t mode = 0600) {
    auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    ::chmod(p.c_str(), mode);
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(IdentityFile, CreatedOnceWithMode0600AndStable) {
  auto path = (dir_ / "p2p" / "secret_key").string();
  auto a = crypto::Identity::load_or_create(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::filesystem::file_size(path), 64u) << "written as hex like the original";
  auto b = crypto::Identity::load_or_create(path);
  EXPECT_EQ(a.node_id(), b.node_id());
  EXPECT_EQ(a.node_id().size(), 64u);
  EXPECT_EQ(a.node_id().find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(IdentityFile, RawAndHexFormsGiveTheSameKey) {
  std::string raw(32, '\0');
  for (int i = 0; i < 32; ++i) raw[i] = static_cast<char>(i * 7 + 1);
  std::string hex;
  for (unsigned char c : raw) {
    static const char* d = "0123456789ABCDEF";
    hex += d[c >> 4];
    hex += d[c & 15];
  }
  auto a = crypto::Identity::load_or_create(write("raw", raw));
  auto b = crypto::Identity::load_or_create(write("hex", hex + "\n"));
  EXPECT_EQ(a.node_id(), b.node_id());
  // RFC 8032 test vector 1: this seed's public key.
  auto v = crypto::Identity::load_or_create(
      write("rfc", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  EXPECT_EQ(v.node_id(), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = v.sign("msg");
  EXPECT_TRUE(crypto::ed25519_verify(v.public_key(), "msg", sig));
  EXPECT_FALSE(crypto::ed25519_verify(v.public_key(), "msh", sig));
}

TEST_F(IdentityFile, BadFilesAreRefusedWithTheirName) {
  for (auto content : {std::string("short"), std::string(64, 'z'), std::string(33, 'a')}) {
    auto p = write("bad", content);
    try {
      crypto::Identity::load_or_create(p);
      FAIL() << "accepted " << content;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos);
    }
  }
  EXPECT_THROW(crypto::Identity::load_or_create(write("open", std::string(64, 'a'), 0644)), std::runtime_error);
}

TEST(NodeId, Parsing) {
  EXPECT_TRUE(crypto::parse_node_id(std::string(64, 'a')));
  EXPECT_TRUE(crypto::parse_node_id(std::string(64, 'F')));
  EXPECT_FALSE(crypto::parse_node_id(std::string(63, 'a')));
  EXPECT_FALSE(crypto::parse_node_id(std::string(64, 'g')));
}

}  // namespace
