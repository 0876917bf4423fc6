// The S3 client against a real store: run by tests/integration/test_radosgw.py with S3_TEST_ENDPOINT,
// S3_TEST_ACCESS_KEY, S3_TEST_SECRET_KEY (a one-node Ceph radosgw on loopback); skipped without them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "lib/curl/http_get.hpp"
#include "lib/s3/client.hpp"
#include "lib/sodium/sodium.hpp"

using namespace st::lib::s3;

namespace {

const bool kSodiumReady = (st::lib::sodium::init(), true);

class S3Live : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("S3_TEST_ENDPOINT");
    if (!endpoint) GTEST_SKIP() << "no S3_TEST_ENDPOINT (test_radosgw.py runs this against radosgw)";
    config_.endpoint = endpoint;
    config_.access_key = std::getenv("S3_TEST_ACCESS_KEY");
    config_.secret_key = std::getenv("S3_TEST_SECRET_KEY");
    config_.bucket = "soundtime-live";
    config_.prefix = "p/";
    config_.part_size = 5 * 1024 * 1024;
    client_ = std::make_unique<Client>(config_);
    client_->create_bucket();
  }

  std::function<std::size_t(char*, std::size_t)> pattern(std::size_t total, std::size_t throw_after = SIZE_MAX) {
    auto sent = std::make_shared<std::size_t>(0);
    return [=](char* buf, std::size_t room) -> std::size_t {
      if (*sent >= throw_after) throw std::runtime_error("the uploader went away");
      std::size_t n = std::min({room, total - *sent, std::size_t{100000}});
      for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>((*sent + i) % 251);
      *sent += n;
      return n;
    };
  }

  Config config_;
  std::unique_ptr<Client> client_;
};

}  // namespace

TEST_F(S3Live, ObjectsRoundTripWithAwkwardKeys) {
  for (std::string key : {"plain.flac", "with space/and+plus=eq&amp.mp3", "\xC3\xA9t\xC3\xA9/\xE2\x99\xAB (1).ogg",
                          "a~b_c-d.e!'()*.opus"}) {
    client_->put(key, "body of " + key, "audio/flac");
    EXPECT_EQ(client_->get_all(key, 1000), "body of " + key) << key;
    auto info = client_->head(key);
    ASSERT_TRUE(info) << key;
    EXPECT_EQ(info->size, ("body of " + key).size());
    client_->remove(key);
    EXPECT_FALSE(client_->head(key)) << key;
  }
}

TEST_F(S3Live, RangesAndErrors) {
  client_->put("r.bin", "0123456789", "application/octet-stream");
  std::string got;
  ObjectInfo info = client_->get("r.bin", std::pair<std::uint64_t, std::uint64_t>{4, 7}, [&](std::string_view p) {
    got += p;
    return true;
  });
  EXPECT_EQ(got, "4567");
  EXPECT_EQ(info.status, 206);
  EXPECT_EQ(info.size, 10u);
  try {
    client_->get_all("missing.bin", 10);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind, Error::Kind::NotFound);
    EXPECT_EQ(e.code, "NoSuchKey");
  }
  Config wrong = config_;
  wrong.secret_key = "not-the-secret";
  try {
    Client(wrong).get_all("r.bin", 10);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind, Error::Kind::Refused);
    EXPECT_EQ(e.status, 403);
  }
  client_->remove("r.bin");
}

TEST_F(S3Live, ListingPagesThroughEveryKey) {
  std::set<std::string> put;
  for (int i = 0; i < 7; ++i) {
    std::string key = "list/k" + std::to_string(i) + " x.mp3";
    client_->put(key, "x", "audio/mpeg");
    put.insert(key);
  }
  std::set<std::string> listed;
  std::string token;
  int pages = 0;
  do {
    ObjectList page = client_->list("list/", token, 3);
    for (const auto& o : page.objects) listed.insert(o.key);
    token = page.truncated ? page.next_token : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(listed, put);
  EXPECT_EQ(pages, 3);
  for (const auto& k : put) client_->remove(k);
  EXPECT_TRUE(client_->list("list/").objects.empty());
}

TEST_F(S3Live, AMultipartUploadHoldsEveryByte) {
  const std::size_t size = 11 * 1024 * 1024 + 123;
  EXPECT_EQ(client_->put_stream("big.flac", pattern(size), "audio/flac"), size);
  auto info = client_->head("big.flac");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, size);
  for (std::uint64_t at : {std::uint64_t{0}, std::uint64_t{5 * 1024 * 1024 - 2}, std::uint64_t{size - 3}}) {
    std::string got;
    client_->get("big.flac", std::pair<std::uint64_t, std::uint64_t>{at, std::min<std::uint64_t>(at + 3, size - 1)},
                 [&](std::string_view p) {
                   got += p;
                   return true;
                 });
    ASSERT_FALSE(got.empty());
    for (std::size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(static_cast<unsigned char>(got[i]), (at + i) % 251) << "at " << at + i;
  }
  client_->remove("big.flac");
}

TEST_F(S3Live, AFailedUploadLeavesNoObjectAndNoPendingUpload) {
  EXPECT_THROW(client_->put_stream("cut.flac", pattern(20 << 20, 7 << 20), "audio/flac"), std::runtime_error);
  EXPECT_FALSE(client_->head("cut.flac"));
  EXPECT_TRUE(client_->pending_uploads("cut.flac").uploads.empty());
}

TEST_F(S3Live, APresignedUrlReadsWithoutCredentials) {
  client_->put("shared/song.mp3", "ID3 tagged bytes", "audio/mpeg");
  auto reply = st::lib::curl::get(client_->presigned_get("shared/song.mp3", std::chrono::seconds(60)));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ID3 tagged bytes");
  auto denied = st::lib::curl::get(config_.endpoint + "/" + config_.bucket + "/p/shared/song.mp3");
  EXPECT_EQ(denied.status, 403);
  client_->remove("shared/song.mp3");
}
