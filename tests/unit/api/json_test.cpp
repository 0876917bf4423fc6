#include <gtest/gtest.h>

#include "api/json.hpp"
#include "model/errors.hpp"

using namespace st::api;

TEST(Json, NumbersArePrintedTheUsualWay) {
  json::object o;
  o["a"] = 1.5;
  o["b"] = 2.0;
  o["c"] = 0.001;
  o["d"] = std::numeric_limits<double>::quiet_NaN();
  o["e"] = -7;
  o["s"] = "quote\" and \\ and \n";
  o["l"] = json::array{1, 0.25, nullptr, true};
  EXPECT_EQ(to_json(o), R"({"a":1.5,"b":2,"c":0.001,"d":null,"e":-7,"s":"quote\" and \\ and \n","l":[1,0.25,null,true]})");
}

TEST(Json, BodiesAreCheckedWithClearErrors) {
  st::http::Request r;
  r.body = R"({"name": "x", "n": 3, "flag": true})";
  auto o = parse_object(r);
  EXPECT_EQ(require_string(o, "name"), "x");
  EXPECT_EQ(require_int(o, "n"), 3);
  EXPECT_EQ(optional_bool(o, "flag"), true);
  EXPECT_FALSE(optional_string(o, "missing"));
  try {
    require_string(o, "n");
    FAIL();
  } catch (const st::model::DomainError& e) {
    EXPECT_STREQ(e.what(), "Field 'n' must be a string");
  }
  r.body = "{";
  EXPECT_THROW(parse_object(r), st::model::DomainError);
  r.body = "";
  EXPECT_TRUE(parse_object(r, true).empty());
  r.headers.set("Content-Type", "text/html");
  r.body = "{}";
  EXPECT_THROW(parse_object(r), st::model::DomainError);
  r.headers.set("Content-Type", "application/json; charset=utf-8");
  EXPECT_NO_THROW(parse_object(r));
}
