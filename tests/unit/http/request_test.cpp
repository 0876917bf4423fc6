#include <gtest/gtest.h>

#include "http/request.hpp"
#include "http/response.hpp"

using namespace st::http;

TEST(Request, SplitTargetDecodesThePathOnly) {
  std::string path, query;
  ASSERT_TRUE(split_target("/api/genres/Hip%20Hop/tracks?page=2&q=a%26b", path, query));
  EXPECT_EQ(path, "/api/genres/Hip Hop/tracks");
  EXPECT_EQ(query, "page=2&q=a%26b");
  EXPECT_FALSE(split_target("api/x", path, query));
  EXPECT_FALSE(split_target("/a%zz", path, query));
  EXPECT_FALSE(split_target("/a%00b", path, query));
}

TEST(Request, QueryParameters) {
  Request r;
  r.query_string = "q=hello+world&page=2&empty=&flag&q=second&bad=%zz";
  EXPECT_EQ(r.query("q"), "hello world");
  EXPECT_EQ(r.query("page"), "2");
  EXPECT_EQ(r.query("empty"), "");
  EXPECT_EQ(r.query("flag"), "");
  EXPECT_FALSE(r.query("missing"));
  EXPECT_FALSE(r.query("bad"));
}

TEST(Request, BearerToken) {
  Request r;
  EXPECT_FALSE(r.bearer_token());
  r.headers.set("authorization", "bearer   abc.def.ghi ");
  EXPECT_EQ(r.bearer_token(), "abc.def.ghi");
  r.headers.set("Authorization", "Basic Zm9vOmJhcg==");
  EXPECT_FALSE(r.bearer_token());
  r.headers.set("Authorization", "Bearer ");
  EXPECT_FALSE(r.bearer_token());
}

TEST(Response, ErrorBodiesAreEscapedJson) {
  auto r = Response::error(400, "bad \"quote\"\n\x01");
  EXPECT_EQ(std::get<std::string>(r.body), R"({"error":"bad \"quote\"\n\u0001"})");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
}

TEST(Response, JsonEscapeKeepsPlainRunsAndEscapesTheRest) {
  EXPECT_EQ(json_escape(""), "");
  EXPECT_EQ(json_escape("plain \xc3\xa9t\xc3\xa9"), "plain \xc3\xa9t\xc3\xa9");
  EXPECT_EQ(json_escape("\"a\"\\b"), "\\\"a\\\"\\\\b");
  EXPECT_EQ(json_escape("x\ny\rz\t"), "x\\ny\\rz\\t");
  EXPECT_EQ(json_escape(std::string("\x01" "a" "\x1f", 3)), "\\u0001a\\u001f");
  EXPECT_EQ(json_escape(std::string("a\0b", 3)), "a\\u0000b");
  std::string out = "[";
  append_json_escaped(out, "q\"");
  EXPECT_EQ(out, "[q\\\"");
}
