// Tracks inserted in bulk (a catalogue pull) are searchable like tracks inserted one by one, on both
// engines: on SQLite their search text is indexed in one statement at the end (migration 0008).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "db/bulk_insert.hpp"
#include "db/repositories.hpp"
#include "model/errors.hpp"
#include <optional>

#include "support/catalog_fixture.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class BulkInsert : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    one_.emplace(db_.pool(), "Band", "LP");
    catalog_ = one_->catalog.get();
    artist_ = one_->artist;
    album_ = one_->album;
  }

  model::Track track(std::string title, std::string path) { return one_->track(std::move(title), std::move(path)); }

  std::int64_t found(const std::string& word) { return catalog_->search({word}, {1, 5}).total_tracks; }

  test::TestDatabase db_{GetParam()};
  std::optional<test::OneAlbumCatalog> one_;
  model::CatalogRepository* catalog_ = nullptr;
  model::Artist artist_;
  model::Album album_;
};

}  // namespace

TEST_P(BulkInsert, BulkTracksAreSearchableAndSingleInsertsStillIndexThemselves) {
  catalog_->insert_track(track("Before aardvark", "/m/before.flac"));
  std::vector<model::Track> many;
  for (int i = 0; i < 300; ++i) many.push_back(track("Zebra " + std::to_string(i), "/m/z" + std::to_string(i) + ".flac"));
  catalog_->insert_tracks(many);
  EXPECT_EQ(found("zebra"), 300);
  EXPECT_EQ(found("aardvark"), 1);
  EXPECT_EQ(catalog_->search({"zebra", "299"}, {1, 5}).total_tracks, 1);

  // After the bulk insert, a single insert is indexed by the trigger again.
  catalog_->insert_track(track("After giraffe", "/m/after.flac"));
  EXPECT_EQ(found("giraffe"), 1);

  // Deleting a bulk-inserted track removes it from the index (the index matched its content).
  catalog_->delete_track(many[7].id);
  EXPECT_EQ(found("zebra"), 299);
}

TEST_P(BulkInsert, AFailedBulkInsertLeavesNothingBehindAndIndexingOn) {
  catalog_->insert_track(track("Taken", "/m/taken.flac"));
  std::vector<model::Track> batch{track("Okapi one", "/m/o1.flac"), track("Okapi two", "/m/taken.flac")};
  EXPECT_THROW(catalog_->insert_tracks(batch), model::UniqueViolation);
  EXPECT_EQ(found("okapi"), 0);
  catalog_->insert_track(track("Okapi three", "/m/o3.flac"));
  EXPECT_EQ(found("okapi"), 1);
  std::vector<model::Track> again{track("Okapi four", "/m/o4.flac"), track("Okapi five", "/m/o5.flac")};
  catalog_->insert_tracks(again);
  EXPECT_EQ(found("okapi"), 3);
}

// The batch does the work of every INSERT trigger of tracks (SQLite inserts a batch with triggers off): a
// migration adding one fails here until db/bulk_insert.cpp does its work too.
TEST_P(BulkInsert, EveryInsertTriggerOfTracksIsDoneByTheBatch) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "PostgreSQL's triggers run for every row";
  std::set<std::string> schema, handled(db::kTrackInsertTriggers.begin(), db::kTrackInsertTriggers.end());
  auto c = db_.pool().acquire();
  for (const auto& r : c->query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tracks'").rows)
    if (r.text(1).find("INSERT ON tracks") != std::string::npos) schema.insert(r.text(0));
  EXPECT_EQ(schema, handled);
}

// What the triggers keep (totals, durations, genre tallies, the P2P change log, the search index, shuffle
// keys) is the same whether tracks come one by one or in batches, and a single insert after a batch runs the
// triggers again: checked against the same figures computed from the tracks themselves.
TEST_P(BulkInsert, BatchesKeepWhatTheTriggersKeep) {
  model::Album other;
  other.id = util::new_uuid();
  other.title = "Second";
  other.artist_id = artist_.id;
  other.created_at = util::now_micros();
  other = catalog_->upsert_album(artist_.id + "|second", other);
  int n = 0;
  auto make = [&](std::optional<std::string> genre, const model::Album* album, bool hash, bool replica) {
    auto t = track("Quagga " + std::to_string(n), "");
    t.genre = std::move(genre);
    t.album_id = album ? std::optional(album->id) : std::nullopt;
    t.duration_secs = 61.25 + n * 0.333333;
    if (hash) t.content_hash = fmt::format("{:064x}", 0xbeef00 + n);
    if (replica) t.file_path = "p2p://" + t.id;
    ++n;
    return t;
  };
  auto c = db_.pool().acquire();
  auto total = [&](const char* name) {
    return c->query(fmt::format("SELECT n, version FROM catalog_totals WHERE name = '{}'", name)).rows.front();
  };
  auto rows_of = [&](const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& r : c->query(sql).rows) {
      std::string line;
      for (std::size_t i = 0; r.has(i); ++i) line += (i ? "|" : "") + r.opt_text(i).value_or("NULL");
      out.push_back(line);
    }
    return out;
  };
  std::vector<std::string> offered;  // local tracks with a hash, in the order inserted
  auto tracks_version = total("tracks").integer(1);
  std::int64_t inserted = 0;
  auto last_version = tracks_version;
  // The track count, the total duration and the genre tallies equal figures counted afresh from the tracks.
  auto expect_tallies = [&] {
    EXPECT_EQ(total("tracks").integer(0), c->query("SELECT COUNT(*) FROM tracks").rows.front().integer(0));
    EXPECT_EQ(total("duration_us").integer(0),
              c->query("SELECT SUM(CAST(round(duration_secs * 1000000) AS BIGINT)) FROM tracks").rows.front().integer(0));
    EXPECT_EQ(rows_of("SELECT genre, tracks, albums FROM genre_counts ORDER BY genre"),
              rows_of("SELECT genre, COUNT(*), COUNT(DISTINCT album_id) FROM tracks WHERE genre <> '' "
                      "GROUP BY genre ORDER BY genre"));
    EXPECT_EQ(rows_of("SELECT genre, album_id, tracks FROM genre_albums ORDER BY genre, album_id"),
              rows_of("SELECT genre, album_id, COUNT(*) FROM tracks WHERE genre <> '' AND album_id IS NOT NULL "
                      "GROUP BY genre, album_id ORDER BY genre, album_id"));
  };
  auto check = [&](const std::string& when) {
    SCOPED_TRACE(when);
    // SQLite's batch moves the version once a track, as its row triggers do; PostgreSQL's statement-level
    // triggers (migration 0032) once a statement: either way it moved with every insert.
    if (GetParam() == "sqlite") EXPECT_EQ(total("tracks").integer(1), tracks_version + inserted) << "a version a track";
    else EXPECT_GT(total("tracks").integer(1), last_version) << "the version moved";
    last_version = total("tracks").integer(1);
    expect_tallies();
    EXPECT_EQ(rows_of("SELECT track_id FROM p2p_catalog_log ORDER BY seq"), offered);
    EXPECT_TRUE(c->query("SELECT id FROM tracks WHERE shuffle IS NULL").empty());
    EXPECT_EQ(found("quagga"), inserted);
  };
  auto single = [&](model::Track t) {
    catalog_->insert_track(t);
    ++inserted;
    if (t.content_hash && t.file_path.rfind("p2p://", 0) != 0) offered.push_back(t.id);
  };
  auto batch = [&](std::vector<model::Track> ts) {
    catalog_->insert_tracks(ts);
    inserted += static_cast<std::int64_t>(ts.size());
    for (const auto& t : ts)
      if (t.content_hash && t.file_path.rfind("p2p://", 0) != 0) offered.push_back(t.id);
  };
  single(make("Rock", &album_, true, false));
  check("one by one");
  batch({make("Rock", &album_, true, false), make("Rock", &other, false, false), make("Jazz", &other, true, true),
         make("", &album_, true, false), make(std::nullopt, nullptr, false, false), make("Jazz", nullptr, true, false),
         make("Jazz", &other, true, false)});
  check("a batch after a single insert");
  single(make("Jazz", &album_, true, false));
  check("a single insert after a batch");
  batch({make("Jazz", &album_, false, true), make("Pop", &album_, true, false), make("Rock", &other, true, false)});
  check("a second batch");
  // One statement deleting many tracks (a folder's, a peer's replicas; on PostgreSQL one firing of the
  // statement-level trigger) leaves the same figures as counting afresh, emptied genres and pairs gone.
  auto version = total("tracks").integer(1);
  c->query("DELETE FROM tracks WHERE genre = 'Jazz' OR genre IS NULL OR album_id = ?", {other.id});
  EXPECT_GT(total("tracks").integer(1), version);
  expect_tallies();
  EXPECT_TRUE(c->query("SELECT genre FROM genre_counts WHERE genre = 'Jazz'").empty());
}

TEST_P(BulkInsert, ConnectionsWorkOnAfterGivingBackTheirMemoryWhileIdle) {
  // A quiet server's idle connections drop their page caches and prepared statements
  // (db/idle_memory.hpp); the same statements are prepared again on next use.
  catalog_->insert_track(track("Quiet otter", "/m/otter.flac"));
  EXPECT_EQ(found("otter"), 1);
  ASSERT_TRUE(db_.pool().release_idle_memory());
  EXPECT_EQ(found("otter"), 1);
  catalog_->insert_track(track("Loud otter", "/m/otter2.flac"));
  EXPECT_EQ(found("otter"), 2);
  ASSERT_TRUE(db_.pool().release_idle_memory());
  auto known = catalog_->find_by_path("/m/otter2.flac");
  ASSERT_TRUE(known);
  EXPECT_FALSE(known->track_id.empty());
  EXPECT_FALSE(catalog_->find_by_path("/m/no-such.flac"));
}

INSTANTIATE_TEST_SUITE_P(Engines, BulkInsert, test::kEngines, [](const auto& info) { return info.param; });
