// SigV4 against AWS's published values: the Signature Version 4 test suite (AKIDEXAMPLE, 20150830T123600Z,
// service "service") and the S3 API reference examples (examplebucket, 20130524T000000Z).
#include "lib/s3/sigv4.hpp"

#include <gtest/gtest.h>

#include "lib/sodium/sodium.hpp"

using namespace st::lib::s3;

namespace {

const bool kSodiumReady = (st::lib::sodium::init(), true);  // the HMAC is libsodium's

Credentials suite() { return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"}; }
Credentials s3_docs() { return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"}; }

SignedRequest suite_get(std::string path, Pairs query = {}) {
  return {"GET", std::move(path), std::move(query),
          {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, sha256_hex("")};
}

std::string auth(const SignedRequest& r, bool double_encode = true) {
  return authorization(suite(), r, "20150830T123600Z", double_encode);
}

const std::string kPrefix =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=";

}  // namespace

TEST(SigV4, GetVanilla) {
  EXPECT_EQ(auth(suite_get("/")), kPrefix + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, GetVanillaQueryOrderKey) {
  EXPECT_EQ(auth(suite_get("/", {{"Param2", "value2"}, {"Param1", "value1"}})),
            kPrefix + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

// The suite's canonical path for get-utf8 is /%E1%88%B4: encoded once.
TEST(SigV4, GetUtf8) {
  EXPECT_EQ(auth(suite_get("/\xE1\x88\xB4"), false),
            kPrefix + "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST(SigV4, S3GetObjectWithRange) {
  SignedRequest r{"GET", "/test.txt", {},
                  {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"},
                   {"x-amz-content-sha256", sha256_hex("")}, {"x-amz-date", "20130524T000000Z"}},
                  sha256_hex("")};
  EXPECT_EQ(authorization(s3_docs(), r, "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3PresignedUrl) {
  EXPECT_EQ(presigned_query(s3_docs(), "GET", "/test.txt", "examplebucket.s3.amazonaws.com", "20130524T000000Z", 86400),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
            "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, UriEncode) {
  EXPECT_EQ(uri_encode("a b/c~d", false), "a%20b/c~d");
  EXPECT_EQ(uri_encode("a b/c~d", true), "a%20b%2Fc~d");
}
