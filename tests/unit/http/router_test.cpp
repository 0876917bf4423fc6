#include <gtest/gtest.h>

#include "http/router.hpp"

using namespace st::http;

namespace {
Request req(Method m, std::string path) {
  Request r;
  r.method = m;
  r.path = std::move(path);
  return r;
}
Handler say(std::string what) {
  return [what](Request& r) {
    std::string body = what;
    for (auto& [k, v] : r.path_params) body += " " + k + "=" + v;
    return Response::text(200, body);
  };
}
std::string body(const Response& r) { return std::get<std::string>(r.body); }
}  // namespace

TEST(Router, LiteralBeatsParameterWhateverTheOrder) {
  Router r;
  r.get("/api/tracks/{id}", say("track"));
  r.get("/api/tracks/popular", say("popular"));
  auto a = req(Method::get, "/api/tracks/popular");
  EXPECT_EQ(body(r.dispatch(a)), "popular");
  auto b = req(Method::get, "/api/tracks/42");
  EXPECT_EQ(body(r.dispatch(b)), "track id=42");
}

TEST(Router, BacktracksWhenALiteralBranchDeadEnds) {
  Router r;
  r.get("/a/b/c", say("abc"));
  r.get("/a/{x}/d", say("axd"));
  auto q = req(Method::get, "/a/b/d");
  EXPECT_EQ(body(r.dispatch(q)), "axd x=b");
}

TEST(Router, CatchAllTakesTheRest) {
  Router r;
  r.get("/api/media/{*path}", say("media"));
  auto q = req(Method::get, "/api/media/covers/ab/cd.jpg");
  EXPECT_EQ(body(r.dispatch(q)), "media path=covers/ab/cd.jpg");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Router r;
  r.get("/x", say("x"));
  r.post("/x", say("x"));
  auto a = req(Method::get, "/nope");
  EXPECT_EQ(r.dispatch(a).status, 404);
  auto b = req(Method::del, "/x");
  auto res = r.dispatch(b);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(body(res), R"({"error":"Method not allowed"})");
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  r.get("/x", say("x"));
  auto a = req(Method::head, "/x");
  EXPECT_EQ(r.dispatch(a).status, 200);
}

TEST(Router, TrailingAndDoubleSlashesDoNotMatter) {
  Router r;
  r.get("/api/auth/me", say("me"));
  auto a = req(Method::get, "/api//auth/me/");
  EXPECT_EQ(body(r.dispatch(a)), "me");
}

TEST(Router, DuplicateRouteIsAProgrammingError) {
  Router r;
  r.get("/x", say("x"));
  EXPECT_THROW(r.get("/x", say("y")), std::logic_error);
}

TEST(Router, FastPathAnswersOrLeavesItToTheHandler) {
  Router r;
  r.get("/api/tracks/{id}/stream", say("slow"));
  r.add_fast_path(Method::get, "/api/tracks/{id}/stream", [](Request& q) -> std::optional<Response> {
    if (q.param("id") == "known") return Response::text(200, "fast " + std::string(q.param("id")));
    return std::nullopt;
  });
  auto a = req(Method::get, "/api/tracks/known/stream");
  auto fast = r.try_fast(a);
  ASSERT_TRUE(fast);
  EXPECT_EQ(body(*fast), "fast known");
  auto h = req(Method::head, "/api/tracks/known/stream");
  EXPECT_TRUE(r.try_fast(h)) << "HEAD takes GET's fast path as it takes its handler";
  auto b = req(Method::get, "/api/tracks/other/stream");
  EXPECT_FALSE(r.try_fast(b));
  EXPECT_EQ(body(r.dispatch(b)), "slow id=other");
  auto c = req(Method::post, "/api/tracks/known/stream");
  EXPECT_FALSE(r.try_fast(c));
  auto d = req(Method::get, "/api/tracks/known");
  EXPECT_FALSE(r.try_fast(d));
}

TEST(Router, FastPathNeedsItsRoute) {
  Router r;
  r.get("/x/{id}", say("x"));
  auto none = [](Request&) -> std::optional<Response> { return std::nullopt; };
  EXPECT_THROW(r.add_fast_path(Method::get, "/y/{id}", none), std::logic_error);
  EXPECT_THROW(r.add_fast_path(Method::post, "/x/{id}", none), std::logic_error);
  EXPECT_NO_THROW(r.add_fast_path(Method::get, "/x/{id}", none));
}

TEST(Router, ConcurrencyLimitAnswers503WithRetryAfterWhenFull) {
  Router r;
  Response inner_reply;
  int calls = 0;
  r.get("/api/p2p/search", [&](Request&) {
    ++calls;
    if (calls == 1) {  // a second request arrives while this one still waits
      auto again = req(Method::get, "/api/p2p/search");
      inner_reply = r.dispatch(again);
    }
    return Response::text(200, "ok");
  });
  r.get("/api/tracks", say("tracks"));
  r.limit_concurrency(Method::get, "/api/p2p/search", 1, 7);
  auto first = req(Method::get, "/api/p2p/search");
  EXPECT_EQ(r.dispatch(first).status, 200);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(inner_reply.status, 503);
  EXPECT_EQ(inner_reply.headers.get("Retry-After").value_or(""), "7");
  auto other = req(Method::get, "/api/tracks");
  EXPECT_EQ(r.dispatch(other).status, 200) << "other routes are not bounded";
  auto later = req(Method::get, "/api/p2p/search");
  EXPECT_EQ(r.dispatch(later).status, 200) << "the slot is given back";
  EXPECT_THROW(r.limit_concurrency(Method::post, "/api/p2p/search", 1, 1), std::logic_error);
}
