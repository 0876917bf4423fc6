#include <gtest/gtest.h>

#include "db/postgres_backend.hpp"

TEST(PostgresPlaceholders, NumbersQuestionMarksOutsideQuotesAndComments) {
  using st::db::to_postgres_placeholders;
  EXPECT_EQ(to_postgres_placeholders("SELECT ? , ?"), "SELECT $1 , $2");
  EXPECT_EQ(to_postgres_placeholders("SELECT '?' , \"a?\", ?"), "SELECT '?' , \"a?\", $1");
  EXPECT_EQ(to_postgres_placeholders("SELECT 1 -- why?\n, ?"), "SELECT 1 -- why?\n, $1");
  EXPECT_EQ(to_postgres_placeholders("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
}
