// The in-memory search indexes rank like FTS5's st_rank (SQLite) and like util::search_score over every
// match (PostgreSQL), follow every change committed through
// search_log (single and bulk inserts, changed search texts, deletes, cascades), rebuild in the background
// when the backlog is large, and prune the log of what they applied.
#include "db/search_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "db/repositories.hpp"
#include <optional>

#include "support/catalog_fixture.hpp"
#include "support/test_database.hpp"
#include "util/search_score.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class SearchIndex : public ::testing::Test {
 protected:
  virtual std::string engine() const { return "sqlite"; }

  void SetUp() override {
    db_.emplace(engine());
    ST_OPEN_TEST_DATABASE(*db_);
    one_.emplace(db_->pool(), "Northern Lights", "Golden River");
    catalog_ = one_->catalog.get();
    artist_ = one_->artist;
    album_ = one_->album;
  }

  model::Track track(std::string title) { return one_->track(std::move(title)); }

  std::string title() {
    static const std::vector<std::string> vocab = {"love", "lovely", "night", "nights", "dream", "fire", "blue",
                                                   "light", "lights", "gold", "n", "lo", "12", "1"};
    std::string t;
    auto n = 1 + rng_() % 5;
    for (std::size_t i = 0; i < n; ++i) t += (i ? " " : "") + vocab[rng_() % vocab.size()];
    return t;
  }

  // FTS5's answer for the tracks: every match scored by st_rank, best first, ties by rowid.
  std::vector<std::pair<std::int64_t, std::int64_t>> fts(const std::vector<std::string>& words) {
    std::string q;
    for (const auto& w : words) q += (q.empty() ? "" : " AND ") + ("(\"" + w + "\" OR \"" + w + "\"*)");
    auto c = db_->pool().acquire();
    auto cells = c->query_integers("SELECT rowid, st_rank(tracks_fts) FROM tracks_fts WHERE tracks_fts MATCH ?", {q});
    std::vector<std::pair<std::int64_t, std::int64_t>> out;  // (-score, rowid)
    for (std::size_t i = 0; i + 1 < cells.size(); i += 2) out.emplace_back(-cells[i + 1], cells[i]);
    std::sort(out.begin(), out.end());
    return out;
  }

  void expect_like_fts(db::SearchIndexes& ix, const std::vector<std::string>& words) {
    auto want = fts(words);
    auto c = db_->pool().acquire();
    auto got = ix.query(*c, words, {db::SearchIndexes::Window{0, 1000}, {}, {}});
    ASSERT_TRUE(got.has_value());
    const auto& r = (*got)[db::SearchIndexes::tracks];
    ASSERT_EQ(r.total, want.size()) << words[0];
    ASSERT_EQ(r.hits.size(), std::min<std::size_t>(1000, want.size()));
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
      EXPECT_EQ(r.hits[i].doc, want[i].second) << words[0] << " at " << i;
      EXPECT_EQ(r.hits[i].score, -want[i].first) << words[0] << " at " << i;
    }
  }

  void exec(const std::string& sql, const std::vector<db::Value>& params = {}) {
    auto c = db_->pool().acquire();
    c->query(sql, params);
  }

  std::int64_t total(db::SearchIndexes& ix, const std::vector<std::string>& words, std::size_t table) {
    auto c = db_->pool().acquire();
    std::array<db::SearchIndexes::Window, 3> w;
    w[table] = {0, 10};
    auto r = ix.query(*c, words, w);
    EXPECT_TRUE(r.has_value());
    return r ? static_cast<std::int64_t>((*r)[table].total) : -1;
  }

  std::optional<test::TestDatabase> db_;
  std::optional<test::OneAlbumCatalog> one_;
  model::CatalogRepository* catalog_ = nullptr;
  model::Artist artist_;
  model::Album album_;
  std::mt19937 rng_{11};
};

}  // namespace

TEST_F(SearchIndex, RanksLikeFts5AndFollowsEveryCommittedChange) {
  std::vector<model::Track> tracks;
  for (int i = 0; i < 300; ++i) tracks.push_back(track(title()));
  catalog_->insert_tracks(tracks);
  db::SearchIndexes ix(db_->pool());
  const std::vector<std::vector<std::string>> queries = {
      {"love"}, {"lo"}, {"night", "love"}, {"n", "l"}, {"gold", "river"}, {"northern", "1"}, {"12"}, {"dreams"}};
  for (const auto& q : queries) expect_like_fts(ix, q);
  ASSERT_TRUE(ix.ready());

  // Single inserts, a bulk insert (one logged range), changed titles, deletes: all seen by the next query.
  for (int i = 0; i < 20; ++i) catalog_->insert_track(track(title()));
  std::vector<model::Track> more;
  for (int i = 0; i < 200; ++i) more.push_back(track(title()));
  catalog_->insert_tracks(more);
  for (int i = 0; i < 40; ++i)
    exec("UPDATE tracks SET search_text = ? WHERE rowid = ?", {title() + " northern lights golden river",
                                                              static_cast<std::int64_t>(1 + rng_() % 500)});
  for (int i = 0; i < 30; ++i) exec("DELETE FROM tracks WHERE rowid = ?", {static_cast<std::int64_t>(1 + rng_() % 520)});
  for (const auto& q : queries) expect_like_fts(ix, q);

  // An artist's removal cascades to its albums and tracks; the cascades' deletes are logged too.
  EXPECT_GT(total(ix, {"golden"}, db::SearchIndexes::albums), 0);
  exec("DELETE FROM artists WHERE id = ?", {artist_.id});
  EXPECT_EQ(total(ix, {"golden"}, db::SearchIndexes::albums), 0);
  EXPECT_EQ(total(ix, {"northern"}, db::SearchIndexes::artists), 0);
  for (const auto& q : queries) expect_like_fts(ix, q);
  EXPECT_EQ(total(ix, {"love"}, db::SearchIndexes::tracks), 0);
}

TEST_F(SearchIndex, ALargeCatalogueOrBacklogIsBuiltInTheBackgroundMeanwhileQueriesGetNothing) {
  std::vector<model::Track> tracks;
  for (int i = 0; i < 100; ++i) tracks.push_back(track("fire " + std::to_string(i)));
  catalog_->insert_tracks(tracks);
  db::SearchIndexes ix(db_->pool(), /*build_inline_below=*/0);
  ix.wait_ready();
  ASSERT_TRUE(ix.ready());
  EXPECT_EQ(total(ix, {"fire"}, db::SearchIndexes::tracks), 100);
  // More rows changed than a replay takes (200,000): a rebuild on the background thread, not in the request.
  exec("INSERT INTO search_log (tbl, first_doc, last_doc) VALUES (0, 1, 300000)");
  auto c = db_->pool().acquire();
  const std::vector<std::string> fire = {"fire"};
  EXPECT_FALSE(ix.query(*c, fire, {db::SearchIndexes::Window{0, 10}, {}, {}}).has_value());
  ix.wait_ready();
  EXPECT_EQ(total(ix, {"fire"}, db::SearchIndexes::tracks), 100);
}

TEST_F(SearchIndex, TheLogIsPrunedOfWhatWasApplied) {
  db::SearchIndexes ix(db_->pool(), 50'000, std::chrono::milliseconds(20));
  for (int i = 0; i < 50; ++i) catalog_->insert_track(track("blue " + std::to_string(i)));
  EXPECT_GE(ix.log_rows(), 50);
  EXPECT_EQ(total(ix, {"blue"}, db::SearchIndexes::tracks), 50);  // builds; applies nothing newer
  for (int i = 0; i < 5; ++i) catalog_->insert_track(track("blue extra " + std::to_string(i)));
  EXPECT_EQ(total(ix, {"blue"}, db::SearchIndexes::tracks), 55);
  // The background thread prunes within a few periods; wait for it (bounded), then nothing applied is left.
  for (int i = 0; i < 500 && ix.log_rows() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ix.log_rows(), 0);
  // Numbers are never reused after pruning: later changes are still seen.
  catalog_->insert_track(track("blue last"));
  EXPECT_EQ(total(ix, {"blue"}, db::SearchIndexes::tracks), 56);
}

namespace {

class SearchIndexPg : public SearchIndex {
 protected:
  std::string engine() const override { return "postgres"; }

  // Every track matching `words` (each a word prefix), scored by util::search_score as PostgreSQL's own
  // matching does (db/catalog_search.cpp), best first, ties by doc.
  std::vector<std::pair<std::int64_t, std::int64_t>> scored(const std::vector<std::string>& words) {
    auto c = db_->pool().acquire();
    std::vector<std::pair<std::int64_t, std::int64_t>> out;  // (-score, doc)
    for (const auto& r : c->query("SELECT doc, search_text FROM tracks").rows) {
      auto m = util::match_words(r.text(1), words);
      if (m.size() == words.size() &&
          std::all_of(m.begin(), m.end(), [](const util::WordMatch& w) { return w.count > 0; }))
        out.emplace_back(-util::search_score(m), r.integer(0));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void expect_scored(db::SearchIndexes& ix, const std::vector<std::string>& words) {
    auto want = scored(words);
    auto c = db_->pool().acquire();
    auto got = ix.query(*c, words, {db::SearchIndexes::Window{0, 1000}, {}, {}});
    ASSERT_TRUE(got.has_value());
    const auto& r = (*got)[db::SearchIndexes::tracks];
    ASSERT_EQ(r.total, want.size()) << words[0];
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
      EXPECT_EQ(r.hits[i].doc, want[i].second) << words[0] << " at " << i;
      EXPECT_EQ(r.hits[i].score, -want[i].first) << words[0] << " at " << i;
    }
  }
};

}  // namespace

TEST_F(SearchIndexPg, RanksAsTheDatabaseScoresAndFollowsEveryCommittedChange) {
  std::vector<model::Track> tracks;
  for (int i = 0; i < 300; ++i) tracks.push_back(track(title()));
  catalog_->insert_tracks(tracks);
  db::SearchIndexes ix(db_->pool());
  const std::vector<std::vector<std::string>> queries = {
      {"love"}, {"lo"}, {"night", "love"}, {"n", "l"}, {"gold", "river"}, {"northern", "1"}, {"12"}, {"dreams"}};
  for (const auto& q : queries) expect_scored(ix, q);
  ASSERT_TRUE(ix.ready());
  for (int i = 0; i < 20; ++i) catalog_->insert_track(track(title()));
  std::vector<model::Track> more;
  for (int i = 0; i < 600; ++i) more.push_back(track(title()));  // statements of 256, 256, 64, 16, 8
  catalog_->insert_tracks(more);
  for (int i = 0; i < 40; ++i)
    exec("UPDATE tracks SET search_text = ? WHERE doc = ?", {title() + " northern lights golden river",
                                                            static_cast<std::int64_t>(1 + rng_() % 900)});
  exec("DELETE FROM tracks WHERE doc % 7 = 3");  // one statement, many rows
  for (const auto& q : queries) expect_scored(ix, q);
  EXPECT_GT(total(ix, {"golden"}, db::SearchIndexes::albums), 0);
  exec("DELETE FROM artists WHERE id = ?", {artist_.id});  // cascades to albums and tracks
  EXPECT_EQ(total(ix, {"golden"}, db::SearchIndexes::albums), 0);
  EXPECT_EQ(total(ix, {"northern"}, db::SearchIndexes::artists), 0);
  EXPECT_EQ(total(ix, {"love"}, db::SearchIndexes::tracks), 0);
}

// Two nodes on one database: the one that prunes moves the marker; the other, behind it, rebuilds.
TEST_F(SearchIndexPg, ANodeBehindWhatAnotherPrunedRebuilds) {
  for (int i = 0; i < 50; ++i) catalog_->insert_track(track("blue " + std::to_string(i)));
  db::SearchIndexes behind(db_->pool(), 50'000, std::chrono::hours(1));
  EXPECT_EQ(total(behind, {"blue"}, db::SearchIndexes::tracks), 50);
  for (int i = 0; i < 5; ++i) catalog_->insert_track(track("blue extra " + std::to_string(i)));
  {
    db::SearchIndexes pruner(db_->pool(), 50'000, std::chrono::milliseconds(20), std::chrono::seconds(0));
    EXPECT_EQ(total(pruner, {"blue"}, db::SearchIndexes::tracks), 55);
    catalog_->insert_track(track("blue last"));
    EXPECT_EQ(total(pruner, {"blue"}, db::SearchIndexes::tracks), 56);
    for (int i = 0; i < 500 && pruner.log_rows() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(pruner.log_rows(), 0);
  }
  auto c = db_->pool().acquire();
  const std::vector<std::string> blue = {"blue"};
  EXPECT_FALSE(behind.query(*c, blue, {db::SearchIndexes::Window{0, 10}, {}, {}}).has_value()) << "rebuilding";
  behind.wait_ready();
  EXPECT_EQ(total(behind, {"blue"}, db::SearchIndexes::tracks), 56);
}

// Entries younger than the shared age stay, whatever this node applied: other nodes may still need them.
TEST_F(SearchIndexPg, YoungEntriesAreNotPruned) {
  db::SearchIndexes ix(db_->pool(), 50'000, std::chrono::milliseconds(20), std::chrono::hours(1));
  for (int i = 0; i < 10; ++i) catalog_->insert_track(track("gold " + std::to_string(i)));
  EXPECT_EQ(total(ix, {"gold"}, db::SearchIndexes::tracks), 10);
  catalog_->insert_track(track("gold more"));
  EXPECT_EQ(total(ix, {"gold"}, db::SearchIndexes::tracks), 11);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten periods of the background thread
  EXPECT_GT(ix.log_rows(), 0);
}
