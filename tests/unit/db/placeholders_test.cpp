#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "db/postgres_backend.hpp"
#include "db/track_columns.hpp"

TEST(PostgresPlaceholders, NumbersQuestionMarksOutsideQuotesAndComments) {
  using st::db::to_postgres_placeholders;
  EXPECT_EQ(to_postgres_placeholders("SELECT ? , ?"), "SELECT $1 , $2");
  EXPECT_EQ(to_postgres_placeholders("SELECT '?' , \"a?\", ?"), "SELECT '?' , \"a?\", $1");
  EXPECT_EQ(to_postgres_placeholders("SELECT 1 -- why?\n, ?"), "SELECT 1 -- why?\n, $1");
  EXPECT_EQ(to_postgres_placeholders("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
}

// IN lists are padded to a few lengths (each length is one more prepared statement per connection), with the
// slice's last id repeated: the same set of ids, in slices of at most 400.
TEST(InLists, SlicesArePaddedToFewLengthsWithTheSameIds) {
  using st::db::for_each_slice;
  using st::db::in_list_length;
  EXPECT_EQ(in_list_length(1), 1u);
  EXPECT_EQ(in_list_length(3), 4u);
  EXPECT_EQ(in_list_length(64), 64u);
  EXPECT_EQ(in_list_length(65), 128u);
  EXPECT_EQ(in_list_length(257), 400u);
  EXPECT_EQ(in_list_length(400), 400u);
  std::vector<std::string> ids;
  for (int i = 0; i < 405; ++i) ids.push_back("id" + std::to_string(i));
  std::vector<std::size_t> lengths;
  std::set<std::string> seen;
  for_each_slice(
      ids,
      [&](const std::string& in, const std::vector<st::db::Value>& params) {
        ASSERT_EQ(std::get<std::string>(params.at(0)), "lead");
        auto n = params.size() - 1;
        lengths.push_back(n);
        EXPECT_EQ(in, st::db::placeholders(n));
        for (std::size_t i = 1; i < params.size(); ++i) seen.insert(std::get<std::string>(params[i]));
      },
      {st::db::Value(std::string("lead"))});
  EXPECT_EQ(lengths, (std::vector<std::size_t>{400, 8}));
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
}
