// Catalogue totals kept by triggers (migration 0017): the list totals and the genre tallies stay equal
// to a fresh count through inserts, bulk inserts, deletes, edits, replicated (P2P) tracks, album and
// artist deletions with their foreign-key cascades, and the migration's seeding of an existing catalogue.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "db/migrator.hpp"
#include "db/page_keys.hpp"
#include "db/repositories.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

struct Tally {
  std::int64_t tracks = 0, albums = 0;
  bool operator==(const Tally&) const = default;
};

class CatalogTotals : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    catalog_ = db::make_catalog_repository(db_.pool());
  }

  model::Artist artist(const std::string& name) {
    model::Artist a{util::new_uuid(), name, std::nullopt, {}, {}, util::now_micros()};
    return catalog_->upsert_artist("name:" + name, a);
  }

  model::Album album(const model::Artist& ar, const std::string& title) {
    model::Album al;
    al.id = util::new_uuid();
    al.title = title;
    al.artist_id = ar.id;
    al.artist_name = ar.name;
    al.created_at = util::now_micros();
    return catalog_->upsert_album(ar.id + "|" + title, al);
  }

  model::Track track(const model::Artist& ar, const model::Album* al, std::optional<std::string> genre,
                     const std::string& path) {
    model::Track t;
    t.id = util::new_uuid();
    t.title = "T " + path;
    t.artist_id = ar.id;
    t.artist_name = ar.name;
    if (al) t.album_id = al->id, t.album_title = al->title;
    t.genre = std::move(genre);
    t.duration_secs = 60 + static_cast<double>(path.size()) + 0.123456;  // a total to sum exactly
    t.file_path = path;
    t.file_size = 1000 + static_cast<std::int64_t>(path.size()) * 7;  // bytes to sum
    if (path.size() % 2) t.bitrate = 320;                              // some with a bitrate, some enriched
    if (path.size() % 3 == 0) t.musicbrainz_id = "mb " + path;
    t.format = "flac";
    t.created_at = util::now_micros();
    return t;
  }

  std::int64_t count(const std::string& sql) {
    auto c = db_.pool().acquire();
    return c->query(sql).rows.at(0).integer(0);
  }

  // The genre tallies the repository answers from its maintained table.
  std::map<std::string, Tally> maintained_genres() {
    std::map<std::string, Tally> out;
    for (const auto& g : catalog_->genre_counts()) out[g.name] = {g.songs, g.albums};
    return out;
  }

  // The same tallies counted afresh from the tracks.
  std::map<std::string, Tally> counted_genres() {
    std::map<std::string, Tally> out;
    auto c = db_.pool().acquire();
    for (const auto& r : c->query("SELECT genre, COUNT(*), COUNT(DISTINCT album_id) FROM tracks WHERE genre IS NOT NULL "
                                  "AND genre <> '' GROUP BY genre")
                             .rows)
      out[r.text(0)] = {r.integer(1), r.integer(2)};
    return out;
  }

  // Every maintained figure equals a fresh count.
  void expect_exact(const std::string& when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 1}).total, count("SELECT COUNT(*) FROM tracks"));
    EXPECT_EQ(catalog_->list_albums({1, 1}, true).total, count("SELECT COUNT(*) FROM albums"));
    EXPECT_EQ(catalog_->list_artists({1, 1}).total, count("SELECT COUNT(*) FROM artists"));
    auto facts = catalog_->metadata_counts();  // the administrator's storage and metadata status
    EXPECT_EQ(facts.total_tracks, count("SELECT COUNT(*) FROM tracks"));
    EXPECT_EQ(facts.enriched_tracks, count("SELECT COUNT(*) FROM tracks WHERE musicbrainz_id IS NOT NULL"));
    EXPECT_EQ(facts.tracks_with_bitrate, count("SELECT COUNT(*) FROM tracks WHERE bitrate IS NOT NULL"));
    EXPECT_EQ(facts.total_albums, count("SELECT COUNT(*) FROM albums"));
    EXPECT_EQ(facts.albums_with_cover, count("SELECT COUNT(*) FROM albums WHERE cover_url IS NOT NULL"));
    EXPECT_EQ(facts.total_size_bytes, count("SELECT COALESCE(SUM(file_size), 0) FROM tracks"));
    auto counts = catalog_->counts();
    EXPECT_EQ(counts.tracks, count("SELECT COUNT(*) FROM tracks"));
    EXPECT_EQ(counts.albums, count("SELECT COUNT(*) FROM albums"));
    EXPECT_EQ(counts.artists, count("SELECT COUNT(*) FROM artists"));
    {
      auto c = db_.pool().acquire();
      // (PostgreSQL stores durations as REAL: summed in double precision, as the triggers add them.)
      auto summed =
          c->query("SELECT COALESCE(SUM(CAST(duration_secs AS DOUBLE PRECISION)), 0) FROM tracks").rows.at(0).real(0);
      EXPECT_NEAR(counts.total_duration_secs, summed, 1e-4);  // each track's rounded to the microsecond
    }
    auto genres = counted_genres();
    EXPECT_EQ(maintained_genres(), genres);
    EXPECT_EQ(counts.genres, static_cast<std::int64_t>(genres.size()));
    std::vector<std::string> names;
    for (const auto& [name, tally] : genres) names.push_back(name);
    EXPECT_EQ(catalog_->genres(), names);
    for (const auto& [name, tally] : genres) {
      model::TrackFilter f;
      f.genre = name;
      EXPECT_EQ(catalog_->list_tracks(f, model::TrackOrder::title, {1, 1}).total, tally.tracks) << name;
    }
    // Per artist: albums, and whether one has a cover (getArtists, from migration 0024's tally), with the
    // artist's own fields (the list is a copy kept until migration 0026's version moves).
    std::map<std::string, std::pair<std::int64_t, bool>> fresh, maintained;
    std::map<std::string, std::string> fresh_artists, listed_artists;
    std::vector<std::string> ids;
    {
      auto c = db_.pool().acquire();
      for (const auto& r : c->query("SELECT artist_id, COUNT(*), COUNT(cover_url) FROM albums GROUP BY artist_id").rows)
        fresh[r.text(0)] = {r.integer(1), r.integer(2) > 0};
      for (const auto& r : c->query("SELECT id, name, image_url FROM artists").rows) {
        ids.push_back(r.text(0));
        if (fresh.count(r.text(0))) fresh_artists[r.text(0)] = r.text(1) + "|" + r.opt_text(2).value_or("-");
      }
    }
    for (const auto& a : *catalog_->album_artists()) {
      maintained[a.artist.id] = {a.album_count, a.has_cover};
      listed_artists[a.artist.id] = a.artist.name + "|" + a.artist.image_url.value_or("-");
    }
    EXPECT_EQ(maintained, fresh);
    EXPECT_EQ(listed_artists, fresh_artists);
    auto tallies = catalog_->artist_tallies(ids);
    for (const auto& id : ids) {
      auto f = fresh.find(id);
      auto t = tallies.count(id) ? tallies[id] : model::ArtistTally{};
      EXPECT_EQ(t.albums, f == fresh.end() ? 0 : f->second.first) << id;
      EXPECT_EQ(t.has_cover, f != fresh.end() && f->second.second) << id;
    }
  }

  // PostgreSQL: undoes migration 0032 (statement-level triggers over the counters of 0017, 0024, 0026, 0028
  // and 0031), so that a test can take one of those back; migrate() applies 0032 again after them.
  void undo_statement_level_counters(db::Connection& c) {
    if (GetParam() != "postgres") return;
    for (const char* f : {"catalog_totals_tracks_added", "catalog_totals_tracks_removed", "catalog_totals_rows_changed",
                          "artist_album_tally_added", "artist_album_tally_removed", "catalog_version_changed"})
      c.exec_script(std::string("DROP FUNCTION ") + f + "() CASCADE;");
    c.query("DELETE FROM schema_migrations WHERE name = '0032_statement_level_counters'");
  }

  // Migrations applied again after undoing `names` (and, on PostgreSQL, 0032 with them).
  std::vector<std::string> again(std::vector<std::string> names) {
    if (GetParam() == "postgres") names.push_back("0032_statement_level_counters");
    std::sort(names.begin(), names.end());  // applied in their numbers' order
    return names;
  }

  // Migration 0034 (SQLite) / 0038 (PostgreSQL): the administrator's status counts.
  std::string facts_migration() const {
    return GetParam() == "postgres" ? "0038_catalog_facts" : "0034_catalog_facts";
  }
  void undo_catalog_facts(db::Connection& c) {
    if (GetParam() == "postgres")
      c.exec_script("DROP FUNCTION catalog_facts_rows_changed() CASCADE; DROP FUNCTION catalog_facts_row_updated() "
                    "CASCADE;");
    else
      for (const char* t : {"totals_facts_insert", "totals_facts_delete", "totals_facts_update", "totals_cover_insert",
                            "totals_cover_delete", "totals_cover_update"})
        c.exec_script(std::string("DROP TRIGGER ") + t);
    c.query("DELETE FROM schema_migrations WHERE name = ?", {facts_migration()});
  }

  // Undoes migration 0026 (which builds on 0017's and 0024's tables), so that a test can take the
  // catalogue back to before one of those; migrate() then applies 0026 again after it.
  void undo_artist_index_version(db::Connection& c) {
    undo_statement_level_counters(c);
    if (GetParam() == "postgres")
      c.exec_script("DROP FUNCTION artist_index_version() CASCADE;");
    else
      for (const char* t : {"artist_index_tally_insert", "artist_index_tally_update", "artist_index_tally_delete",
                            "artist_index_artist_update"})
        c.exec_script(std::string("DROP TRIGGER ") + t);
    c.query("DELETE FROM catalog_totals WHERE name = 'artist_index'");
    c.query("DELETE FROM schema_migrations WHERE name = '0026_artist_index_version'");
  }

  // Undoes migration 0031 (the total duration, a row of 0017's table).
  void undo_duration_total(db::Connection& c) {
    if (GetParam() == "postgres")
      c.exec_script("DROP FUNCTION catalog_totals_duration() CASCADE;");
    else
      for (const char* t : {"totals_duration_insert", "totals_duration_delete", "totals_duration_update"})
        c.exec_script(std::string("DROP TRIGGER ") + t);
    c.query("DELETE FROM catalog_totals WHERE name = 'duration_us'");
    c.query("DELETE FROM schema_migrations WHERE name = '0031_duration_total'");
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::CatalogRepository> catalog_;
};

}  // namespace

TEST_P(CatalogTotals, InsertsDeletesAndEditsKeepEveryTotalExact) {
  expect_exact("empty");
  auto band = artist("Band"), solo = artist("Solo");
  auto lp = album(band, "LP"), ep = album(band, "EP");
  auto t1 = track(band, &lp, "Rock", "/m/1.flac"), t2 = track(band, &lp, "Rock", "/m/2.flac");
  auto t3 = track(band, &ep, "Rock", "/m/3.flac"), t4 = track(solo, nullptr, "Jazz", "/m/4.flac");
  auto t5 = track(solo, nullptr, std::nullopt, "/m/5.flac"), t6 = track(solo, &ep, "", "/m/6.flac");
  for (const auto* t : {&t1, &t2, &t3, &t4, &t5, &t6}) catalog_->insert_track(*t);
  expect_exact("single inserts");
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 2}).total, 6);
  EXPECT_EQ(catalog_->list_albums({1, 1}, true).total, 2);
  EXPECT_EQ(catalog_->list_artists({1, 1}).total, 2);
  // Rock: three tracks on two albums (LP counted once); Jazz: one track on no album; no "" genre.
  EXPECT_EQ(maintained_genres(), (std::map<std::string, Tally>{{"Jazz", {1, 0}}, {"Rock", {3, 2}}}));

  std::vector<model::Track> batch;
  for (int i = 0; i < 40; ++i)
    batch.push_back(track(i % 2 ? band : solo, i % 3 ? &lp : nullptr, i % 4 ? "Pop" : "Rock", "/b/" + std::to_string(i)));
  catalog_->insert_tracks(batch);
  expect_exact("bulk insert");
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 2}).total, 46);

  // A failed insert (a path taken) changes nothing.
  EXPECT_ANY_THROW(catalog_->insert_track(track(band, &lp, "Ska", "/m/1.flac")));
  expect_exact("failed insert");
  EXPECT_EQ(maintained_genres().count("Ska"), 0u);

  // Edits: a genre changed, cleared, set from nothing; an album changed by a rescan.
  catalog_->update_track_fields(t1.id, {.genre = std::string("Jazz")});
  expect_exact("genre changed");
  catalog_->update_track_fields(t5.id, {.genre = std::string("Jazz")});
  expect_exact("genre set");
  t3.album_id = lp.id;
  t3.genre = std::nullopt;
  t3.duration_secs = 301.75;
  t3.file_size = 123456;
  t3.bitrate = t3.bitrate ? std::nullopt : std::optional<int>(256);
  t3.musicbrainz_id = t3.musicbrainz_id ? std::nullopt : std::optional<std::string>("mb rescanned");
  catalog_->update_track_file(t3);
  expect_exact("album, genre, duration, size, bitrate and MusicBrainz id changed by a rescan");
  t4.album_id = ep.id;
  catalog_->update_track_files({t4});
  expect_exact("album set");
  catalog_->update_track_fields(t2.id, {.title = std::string("Renamed")});  // neither genre nor album
  expect_exact("title changed");

  catalog_->delete_track(t1.id);
  catalog_->delete_track(batch[5].id);
  catalog_->delete_track(t6.id);
  expect_exact("deletes");
  for (const auto& t : batch) catalog_->delete_track(t.id);
  expect_exact("batch deleted");
  EXPECT_EQ(maintained_genres().count("Pop"), 0u);
}

TEST_P(CatalogTotals, ReplicatedTracksCountLikeLocalOnes) {
  auto peer = artist("Peer band");
  auto lp = album(peer, "Shared LP");
  auto local = track(peer, &lp, "Folk", "/m/local.flac");
  auto replica = track(peer, &lp, "Folk", "p2p://node-a/abc123");
  replica.content_hash = "abc123";
  catalog_->insert_track(local);
  catalog_->insert_track(replica);
  expect_exact("a replica added");
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 10}).total, 2);
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 10}).items.size(), 2u);
  // The peer regroups its track: the replica follows to another album and genre.
  auto other = album(peer, "Other LP");
  catalog_->update_track_fields(replica.id, {.genre = std::string("Blues"), .album_id = other.id});
  expect_exact("a replica regrouped");
  catalog_->delete_track(replica.id);
  expect_exact("a replica gone");
}

TEST_P(CatalogTotals, AlbumAndArtistDeletionsCascadeIntoTheTotals) {
  auto band = artist("Band"), solo = artist("Solo");
  auto lp = album(band, "LP"), ep = album(band, "EP"), single = album(solo, "Single");
  for (int i = 0; i < 5; ++i) catalog_->insert_track(track(band, &lp, i % 2 ? "Rock" : "Pop", "/lp/" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) catalog_->insert_track(track(band, &ep, "Rock", "/ep/" + std::to_string(i)));
  for (int i = 0; i < 2; ++i) catalog_->insert_track(track(solo, &single, "Rock", "/s/" + std::to_string(i)));
  expect_exact("filled");
  EXPECT_EQ(maintained_genres()["Rock"], (Tally{7, 3}));
  // Covers found and lost, an album moved to another artist.
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE albums SET cover_url = '/api/media/covers/a.jpg' WHERE id = ?", {ep.id});
    c->query("UPDATE albums SET cover_url = '/api/media/covers/b.jpg' WHERE id = ?", {single.id});
  }
  expect_exact("covers set");
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE albums SET cover_url = '/api/media/covers/c.jpg' WHERE id = ?", {ep.id});  // still one
    c->query("UPDATE albums SET cover_url = NULL WHERE id = ?", {single.id});
    c->query("UPDATE albums SET artist_id = ? WHERE id = ?", {solo.id, ep.id});
  }
  expect_exact("a cover changed, one lost, an album moved");
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE albums SET artist_id = ? WHERE id = ?", {band.id, ep.id});
  }
  expect_exact("the album moved back");
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE artists SET name = 'The Band' WHERE id = ?", {band.id});
  }
  expect_exact("an artist renamed");
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE artists SET image_url = 'https://img.example/solo.jpg' WHERE id = ?", {solo.id});
  }
  expect_exact("an artist's image found");

  // An album deleted: its tracks stay, with no album (ON DELETE SET NULL).
  {
    auto c = db_.pool().acquire();
    c->query("DELETE FROM albums WHERE id = ?", {lp.id});
  }
  expect_exact("album deleted");
  EXPECT_EQ(maintained_genres()["Rock"], (Tally{7, 2}));
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 1}).total, 10);

  // An artist deleted: its albums and tracks go with it (ON DELETE CASCADE).
  {
    auto c = db_.pool().acquire();
    c->query("DELETE FROM artists WHERE id = ?", {band.id});
  }
  expect_exact("artist deleted");
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 1}).total, 2);
  EXPECT_EQ(catalog_->list_albums({1, 1}, true).total, 1);
  EXPECT_EQ(catalog_->list_artists({1, 1}).total, 1);
  EXPECT_EQ(maintained_genres(), (std::map<std::string, Tally>{{"Rock", {2, 1}}}));

  // Orphans pruned after their tracks went.
  auto lone = album(solo, "Lone");
  auto ghost = artist("Ghost");
  expect_exact("orphans added");
  catalog_->prune_orphans();
  expect_exact("orphans pruned");
  EXPECT_EQ(catalog_->list_albums({1, 1}, true).total, 1);
  EXPECT_EQ(catalog_->list_artists({1, 1}).total, 1);
  (void)lone, (void)ghost;
}

TEST_P(CatalogTotals, TheMigrationSeedsTheTotalsOfAnExistingCatalogue) {
  auto band = artist("Band"), solo = artist("Solo");
  auto lp = album(band, "LP"), ep = album(solo, "EP");
  for (int i = 0; i < 7; ++i) catalog_->insert_track(track(band, &lp, i % 3 ? "Rock" : "Pop", "/a/" + std::to_string(i)));
  for (int i = 0; i < 4; ++i) catalog_->insert_track(track(solo, i % 2 ? &ep : nullptr, "Rock", "/b/" + std::to_string(i)));
  catalog_->insert_track(track(solo, &ep, std::nullopt, "/b/none"));
  auto empty_album = album(solo, "Empty");
  (void)empty_album;
  {
    // Back to the catalogue as it was before migration 0017 (its objects gone, its name unrecorded).
    auto c = db_.pool().acquire();
    undo_artist_index_version(*c);
    undo_duration_total(*c);
    undo_catalog_facts(*c);
    if (c->dialect() == db::Dialect::postgres)
      c->exec_script("DROP FUNCTION catalog_totals_count() CASCADE; DROP FUNCTION catalog_totals_track() CASCADE; "
                     "DROP FUNCTION catalog_totals_plays() CASCADE;");
    else
      for (const char* t : {"totals_artist_insert", "totals_artist_delete", "totals_album_insert", "totals_album_delete",
                            "totals_track_insert", "totals_track_delete", "genre_track_insert", "genre_track_delete",
                            "genre_track_update", "totals_track_order", "totals_track_plays", "totals_album_order",
                            "totals_artist_order"})
        c->exec_script(std::string("DROP TRIGGER ") + t);
    c->exec_script("DROP TABLE catalog_totals; DROP TABLE genre_counts; DROP TABLE genre_albums; "
                   "DROP INDEX tracks_genre_title; CREATE INDEX tracks_genre ON tracks (genre);");
    c->query("DELETE FROM schema_migrations WHERE name = '0017_catalog_totals'");
  }
  EXPECT_EQ(db::migrate(db_.pool()),
            again({"0017_catalog_totals", "0026_artist_index_version", "0031_duration_total", facts_migration()}));
  expect_exact("seeded");
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::newest, {1, 1}).total, 12);
  EXPECT_EQ(catalog_->list_albums({1, 1}, true).total, 3);
  EXPECT_EQ(catalog_->list_artists({1, 1}).total, 2);
  EXPECT_EQ(maintained_genres(), (std::map<std::string, Tally>{{"Pop", {3, 1}}, {"Rock", {8, 2}}}));
  // And kept from there on.
  catalog_->insert_track(track(band, &lp, "Pop", "/a/more"));
  expect_exact("after seeding");
}

TEST_P(CatalogTotals, TheArtistTallyIsSeededFromAnExistingCatalogue) {
  auto band = artist("Band"), solo = artist("Solo");
  auto lp = album(band, "LP"), ep = album(band, "EP"), single = album(solo, "Single");
  artist("No albums");
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE albums SET cover_url = '/api/media/covers/a.jpg' WHERE id = ?", {ep.id});
    // As before migration 0024.
    undo_artist_index_version(*c);
    if (GetParam() == "postgres")
      c->exec_script("DROP TABLE artist_album_tally; DROP FUNCTION artist_album_tally_count() CASCADE;");
    else
      c->exec_script("DROP TABLE artist_album_tally; DROP TRIGGER artist_tally_album_insert; "
                     "DROP TRIGGER artist_tally_album_delete; DROP TRIGGER artist_tally_album_update;");
    c->query("DELETE FROM schema_migrations WHERE name = '0024_album_counts_per_artist'");
  }
  EXPECT_EQ(db::migrate(db_.pool()), again({"0024_album_counts_per_artist", "0026_artist_index_version"}));
  expect_exact("seeded");
  EXPECT_EQ(catalog_->album_artists()->size(), 2u);
  album(solo, "Second");
  expect_exact("after seeding");
  (void)lp, (void)single;
}

// getAlbumList2 byGenre: an album is of a genre when one of its tracks carries it (genre_albums) or its
// own tag says so; pages follow the folded title, and a track's change of genre moves its album at once.
TEST_P(CatalogTotals, AlbumsOfAGenreByFoldedTitle) {
  auto ar = artist("Someone");
  auto beta = album(ar, "beta"), alpha = album(ar, "Alpha"), gamma = album(ar, "gamma"), delta = album(ar, "delta");
  auto gamma_rock = track(ar, &gamma, "Rock", "/g/2");
  catalog_->insert_tracks({track(ar, &beta, "Rock", "/b/1"), track(ar, &beta, "Rock", "/b/2"),
                           track(ar, &alpha, "Jazz", "/a/1"), track(ar, &gamma, "Pop", "/g/1"), gamma_rock,
                           track(ar, &delta, "Pop", "/d/1"), track(ar, nullptr, "Rock", "/none/1")});
  db_.pool().acquire()->query("UPDATE albums SET genre = 'Rock' WHERE id = ?", {alpha.id});
  auto titles = [&](const std::string& genre, std::int64_t offset, std::int64_t limit) {
    model::AlbumQuery q;
    q.order = model::AlbumOrder::title;
    q.genre = genre;
    q.offset = offset;
    q.limit = limit;
    std::vector<std::string> out;
    for (const auto& a : catalog_->query_albums(q)) out.push_back(a.title);
    return out;
  };
  EXPECT_EQ(titles("Rock", 0, 10), (std::vector<std::string>{"Alpha", "beta", "gamma"}));
  EXPECT_EQ(titles("Rock", 0, 2), (std::vector<std::string>{"Alpha", "beta"}));
  EXPECT_EQ(titles("Rock", 2, 2), (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(titles("Pop", 0, 10), (std::vector<std::string>{"delta", "gamma"}));
  EXPECT_EQ(titles("Jazz", 0, 10), (std::vector<std::string>{"Alpha"}));
  EXPECT_TRUE(titles("Blues", 0, 10).empty());
  model::TrackChanges to_pop;
  to_pop.genre = "Pop";
  catalog_->update_track_fields(gamma_rock.id, to_pop);
  EXPECT_EQ(titles("Rock", 0, 10), (std::vector<std::string>{"Alpha", "beta"}));
}

// A genre's albums are read by walking the title index or by sorting the genre's albums, whichever reads
// fewer for the page asked: every page of rare, common and missing genres must be the same either way.
TEST_P(CatalogTotals, AlbumsOfAGenreAreTheSameWhicheverWayTheyAreRead) {
  auto ar = artist("Many");
  std::mt19937 rng(11);
  std::map<std::string, std::set<std::string>> genres_of;  // album id -> its genres (tracks' and tag)
  std::map<std::string, std::string> title_of;
  std::vector<model::Track> tracks;
  const std::vector<std::string> names = {"Common", "Common", "Common", "Other", "Rare"};
  for (int i = 0; i < 80; ++i) {
    std::string title = std::string(1, static_cast<char>((rng() % 2 ? 'a' : 'A') + rng() % 26)) + std::to_string(i);
    auto al = album(ar, title);
    title_of[al.id] = title;
    for (int k = 0; k < 2; ++k) {
      const auto& g = i % 16 == 0 ? names.back() : names[rng() % (names.size() - 1)];
      tracks.push_back(track(ar, &al, g, "/many/" + std::to_string(i) + "/" + std::to_string(k)));
      genres_of[al.id].insert(g);
    }
    if (i % 7 == 0) {
      db_.pool().acquire()->query("UPDATE albums SET genre = 'Rare' WHERE id = ?", {al.id});
      genres_of[al.id].insert("Rare");
    }
  }
  catalog_->insert_tracks(tracks);
  for (const std::string genre : {"Common", "Other", "Rare", "Missing"}) {
    std::vector<std::pair<std::string, std::string>> expected;  // (folded title, id)
    for (const auto& [id, genres] : genres_of)
      if (genres.count(genre)) {
        std::string folded = title_of[id];
        for (auto& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        expected.emplace_back(folded, id);
      }
    std::sort(expected.begin(), expected.end());
    for (std::int64_t limit : {1, 5, 50}) {
      for (std::int64_t offset = 0; offset <= static_cast<std::int64_t>(expected.size()) + 1; offset += 3) {
        model::AlbumQuery q;
        q.order = model::AlbumOrder::title;
        q.genre = genre;
        q.offset = offset;
        q.limit = limit;
        std::vector<std::string> got, want;
        for (const auto& a : catalog_->query_albums(q)) got.push_back(a.id);
        for (auto j = offset; j < std::min<std::int64_t>(offset + limit, static_cast<std::int64_t>(expected.size())); ++j)
          want.push_back(expected[static_cast<std::size_t>(j)].second);
        ASSERT_EQ(got, want) << genre << " offset " << offset << " limit " << limit;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, CatalogTotals, test::kEngines, [](const auto& info) { return info.param; });

namespace {

// Deep pages start from sampled keys (db/page_keys) and must equal what OFFSET answers, also after the
// catalogue changes under them.
class DeepPages : public CatalogTotals {
 protected:
  void SetUp() override {
    CatalogTotals::SetUp();
    if (IsSkipped()) return;
    reports_ = db::make_report_repository(db_.pool());
  }

  std::unique_ptr<model::ReportRepository> reports_;

  std::vector<std::string> ids(const std::string& sql, std::int64_t per_page, std::int64_t offset) {
    auto c = db_.pool().acquire();
    std::vector<std::string> out;
    for (const auto& r : c->query(sql + " LIMIT ? OFFSET ?", {per_page, offset}).rows) out.push_back(r.text(0));
    return out;
  }

  // Artists "Artist 0000" ... with one album "Album" each: by artist, row i is artist i's album.
  void one_album_per_artist(int n) {
    std::vector<std::pair<std::string, model::Album>> keyed;
    for (int i = 0; i < n; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "Artist %04d", i);
      auto a = catalog_->upsert_artist(std::string("name:") + name,
                                       model::Artist{util::new_uuid(), name, std::nullopt, {}, {}, 1000});
      model::Album al;
      al.id = util::new_uuid();
      al.title = "Album";
      al.artist_id = a.id;
      al.created_at = 5000;
      keyed.emplace_back("k" + std::to_string(i), al);
    }
    catalog_->upsert_albums(keyed);
  }

  template <typename T>
  static std::vector<std::string> ids_of(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.id);
    return out;
  }

  // Every page of every ordering (per_page 37 crosses the sampling stride at varying points).
  void expect_pages_match(const std::string& when) {
    SCOPED_TRACE(when);
    const std::int64_t per = 37;
    auto n_tracks = count("SELECT COUNT(*) FROM tracks"), n_albums = count("SELECT COUNT(*) FROM albums"),
         n_artists = count("SELECT COUNT(*) FROM artists");
    struct TrackCase {
      model::TrackOrder order;
      const char* sql;
    };
    for (const auto& tc : {TrackCase{model::TrackOrder::newest, "SELECT id FROM tracks ORDER BY created_at DESC, id DESC"},
                           TrackCase{model::TrackOrder::most_played,
                                     "SELECT id FROM tracks ORDER BY play_count DESC, created_at DESC, id DESC"},
                           TrackCase{model::TrackOrder::title, "SELECT id FROM tracks ORDER BY title, id"},
                           TrackCase{model::TrackOrder::added, "SELECT id FROM tracks ORDER BY created_at, id"}}) {
      for (std::int64_t page = 1; (page - 1) * per <= n_tracks + per; ++page) {
        auto got = catalog_->list_tracks({}, tc.order, {page, per});
        ASSERT_EQ(ids_of(got.items), ids(tc.sql, per, (page - 1) * per)) << tc.sql << " page " << page;
        ASSERT_EQ(got.total, n_tracks);
      }
    }
    // The administrator's track browser (newest first), whole and by a substring of the title.
    for (const std::optional<std::string> search : {std::optional<std::string>(), std::optional<std::string>("G 1")}) {
      std::string where = search ? " WHERE lower(title) LIKE '%g 1%'" : "";
      auto n = count("SELECT COUNT(*) FROM tracks" + where);
      for (std::int64_t page = 1; (page - 1) * per <= n + per; page += 2) {
        auto got = reports_->browse(search, {page, per});
        ASSERT_EQ(ids_of(got.items), ids("SELECT id FROM tracks" + where + " ORDER BY created_at DESC, id DESC", per,
                                         (page - 1) * per))
            << search.value_or("") << " page " << page;
        ASSERT_EQ(got.total, n);
      }
    }
    for (bool newest : {true, false}) {
      const char* sql = newest ? "SELECT id FROM albums ORDER BY created_at DESC, id DESC" : "SELECT id FROM albums ORDER BY title, id";
      for (std::int64_t page = 1; (page - 1) * per <= n_albums + per; ++page) {
        auto got = catalog_->list_albums({page, per}, newest);
        ASSERT_EQ(ids_of(got.items), ids(sql, per, (page - 1) * per)) << sql << " page " << page;
        ASSERT_EQ(got.total, n_albums);
      }
    }
    // Subsonic's alphabetical albums (folded title, then the artist's folded name), at offsets off the pages.
    // And by artist (folded name, year with albums without one last, folded title).
    struct AlbumCase {
      model::AlbumOrder order;
      const char* sql;
    };
    for (const auto& ac : {AlbumCase{model::AlbumOrder::title, "SELECT al.id FROM albums al JOIN artists ar ON ar.id = "
                                                               "al.artist_id ORDER BY lower(al.title), lower(ar.name), al.id"},
                           AlbumCase{model::AlbumOrder::artist,
                                     "SELECT al.id FROM albums al JOIN artists ar ON ar.id = al.artist_id ORDER BY "
                                     "lower(ar.name), al.year IS NULL, al.year, lower(al.title), al.id"}}) {
      for (std::int64_t offset = 0; offset <= n_albums + per; offset += per + 4) {
        model::AlbumQuery q;
        q.order = ac.order;
        q.limit = per;
        q.offset = offset;
        ASSERT_EQ(ids_of(catalog_->query_albums(q)), ids(ac.sql, per, offset)) << ac.sql << " offset " << offset;
      }
    }
    // A genre's albums by title: deep pages start from keys sampled among the genre's albums.
    for (const std::string genre : {"Rock", "Jazz"}) {
      auto sql = "SELECT al.id FROM albums al WHERE (EXISTS (SELECT 1 FROM genre_albums ga WHERE ga.genre = '" +
                 genre + "' AND ga.album_id = al.id) OR al.genre = '" + genre + "') ORDER BY lower(al.title), al.id";
      for (std::int64_t offset = 0; offset <= n_albums + per; offset += per + 4) {
        model::AlbumQuery q;
        q.order = model::AlbumOrder::title;
        q.genre = genre;
        q.limit = per;
        q.offset = offset;
        ASSERT_EQ(ids_of(catalog_->query_albums(q)), ids(sql, per, offset)) << genre << " offset " << offset;
      }
    }
    // A library's tracks and a music folder's albums: a folder holding every track, part of them (keys
    // sampled among the folder's tracks), a few (its albums read as a set), none.
    for (const std::string folder : {"/d/", "/new/", "/moved/", "/none/"}) {
      auto under = "substr(file_path, 1, " + std::to_string(folder.size()) + ") = '" + folder + "'";
      auto n_under = count("SELECT COUNT(*) FROM tracks WHERE " + under);
      for (const auto& tc : {TrackCase{model::TrackOrder::newest, "ORDER BY created_at DESC, id DESC"},
                             TrackCase{model::TrackOrder::title, "ORDER BY title, id"}}) {
        for (std::int64_t page = 1; (page - 1) * per <= n_under + per; page += 3) {
          model::TrackFilter f;
          f.path_prefix = folder;
          auto got = catalog_->list_tracks(f, tc.order, {page, per});
          ASSERT_EQ(ids_of(got.items), ids("SELECT id FROM tracks WHERE " + under + " " + tc.sql, per, (page - 1) * per))
              << folder << " " << tc.sql << " page " << page;
          ASSERT_EQ(got.total, n_under) << folder;
        }
      }
      for (std::int64_t offset = 0; offset <= n_albums + per; offset += 5 * per + 4) {
        model::AlbumQuery q;
        q.order = model::AlbumOrder::title;
        q.path_prefix = folder;
        q.limit = per;
        q.offset = offset;
        auto sql = "SELECT al.id FROM albums al JOIN artists ar ON ar.id = al.artist_id WHERE EXISTS (SELECT 1 FROM "
                   "tracks t WHERE t.album_id = al.id AND " + under + ") ORDER BY lower(al.title), lower(ar.name), al.id";
        ASSERT_EQ(ids_of(catalog_->query_albums(q)), ids(sql, per, offset)) << folder << " offset " << offset;
      }
    }
    for (std::int64_t page = 1; (page - 1) * per <= n_artists + per; ++page) {
      auto got = catalog_->list_artists({page, per});
      ASSERT_EQ(ids_of(got.items), ids("SELECT id FROM artists ORDER BY name, id", per, (page - 1) * per)) << page;
      ASSERT_EQ(got.total, n_artists);
    }
  }
};

}  // namespace

TEST_P(DeepPages, EveryPageEqualsTheOffsetPageAsTheCatalogueChanges) {
  std::vector<model::Artist> artists;
  std::vector<model::Album> albums;
  for (int i = 0; i < 1100; ++i) {
    // Names and titles repeat (ties broken by id); creation times repeat too.
    model::Artist a{util::new_uuid(), "Artist " + std::to_string(i % 700), std::nullopt, {}, {}, 1000 + i % 300};
    artists.push_back(catalog_->upsert_artist("name:" + std::to_string(i), a));
  }
  std::vector<std::pair<std::string, model::Album>> keyed;
  for (int i = 0; i < 1100; ++i) {
    model::Album al;
    al.id = util::new_uuid();
    al.title = (i % 3 ? "Album " : "album ") + std::to_string(i % 800);  // folded ties, broken by the artist
    al.artist_id = artists[static_cast<std::size_t>(i)].id;
    al.created_at = 5000 + i % 400;
    if (i % 5) al.year = 1990 + i % 7;  // some without a year
    keyed.emplace_back("k" + std::to_string(i), al);
  }
  albums = catalog_->upsert_albums(keyed);
  std::vector<model::Track> tracks;
  for (int i = 0; i < 1300; ++i) {
    auto t = track(artists[static_cast<std::size_t>(i % 1100)], &albums[static_cast<std::size_t>(i % 1100)], "Rock",
                   "/d/" + std::to_string(i));
    t.title = "Song " + std::to_string(i % 900);
    t.created_at = 9000 + i % 1000;
    tracks.push_back(t);
  }
  catalog_->insert_tracks(tracks);
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE tracks SET play_count = CAST(substr(file_path, 4) AS INTEGER) % 7");
  }
  expect_pages_match("filled");

  // Changes under the sampled keys: new rows before the first key, rows deleted, a title and a play
  // count changed, the last artist and album by name renamed to come first, an album deleted (its tracks
  // stay).
  for (int i = 0; i < 30; ++i) {
    auto t = track(artists[0], &albums[0], "Pop", "/new/" + std::to_string(i));
    t.title = "Aaa " + std::to_string(i);
    t.created_at = 99999;
    catalog_->insert_track(t);
  }
  for (int i = 0; i < 300; i += 3) catalog_->delete_track(tracks[static_cast<std::size_t>(i)].id);
  catalog_->update_track_fields(tracks[700].id, {.title = std::string("Zzz last")});
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE tracks SET play_count = 1000 WHERE id = ?", {tracks[1000].id});
    c->query("UPDATE artists SET name = 'Aaa first' WHERE id = ?", {artists[99].id});
    c->query("UPDATE albums SET title = 'Aaa first' WHERE id = ?", {albums[99].id});
  }
  expect_pages_match("changed");
  {
    auto c = db_.pool().acquire();
    c->query("DELETE FROM albums WHERE id = ?", {albums[3].id});
  }
  expect_pages_match("an album deleted");
  {
    // An artist's rename alone moves their albums within ties of folded titles.
    auto c = db_.pool().acquire();
    for (int i = 0; i < 60; ++i) c->query("UPDATE artists SET name = ? WHERE id = ?", {"ZZ " + std::to_string(i), artists[static_cast<std::size_t>(i)].id});
  }
  expect_pages_match("artists renamed");
  {
    // Years and artists of albums changed: the albums by artist move.
    auto c = db_.pool().acquire();
    for (int i = 100; i < 400; i += 2) c->query("UPDATE albums SET year = 1900 WHERE id = ?", {albums[static_cast<std::size_t>(i)].id});
    for (int i = 400; i < 700; i += 3)
      c->query("UPDATE albums SET artist_id = ? WHERE id = ?", {artists[1].id, albums[static_cast<std::size_t>(i)].id});
  }
  expect_pages_match("album years and artists changed");
  {
    // Albums leave the genre (their tracks' genre changed), some come back by their own tag: titles
    // "album 1xx" and "album 2xx", before the sampled key of row 500 (in "album 3xx").
    auto c = db_.pool().acquire();
    for (int i = 100; i < 240; ++i)
      c->query("UPDATE tracks SET genre = 'Jazz' WHERE album_id = ?", {albums[static_cast<std::size_t>(i)].id});
    for (int i = 200; i < 220; ++i)
      c->query("UPDATE albums SET genre = 'Rock' WHERE id = ?", {albums[static_cast<std::size_t>(i)].id});
  }
  expect_pages_match("albums moved between genres");
  {
    // Albums join the genre by their own tag alone.
    auto c = db_.pool().acquire();
    for (int i = 120; i < 160; ++i)
      c->query("UPDATE albums SET genre = 'Rock' WHERE id = ?", {albums[static_cast<std::size_t>(i)].id});
  }
  expect_pages_match("albums tagged with the genre");
  {
    // Files moved to another folder (a path change alone: no track added or removed).
    auto c = db_.pool().acquire();
    c->query("UPDATE tracks SET file_path = '/moved/' || substr(file_path, 4) WHERE substr(file_path, 1, 3) = '/d/' "
             "AND CAST(substr(file_path, 4) AS INTEGER) % 4 = 1");
  }
  expect_pages_match("files moved to another folder");
  {
    auto c = db_.pool().acquire();
    c->query("UPDATE tracks SET file_path = '/d/' || substr(file_path, 8) WHERE substr(file_path, 1, 7) = '/moved/'");
  }
  expect_pages_match("every file back in one folder");
}

// A deep page of albums by artist is read between its sampled key and one a little past its end (a bound
// that keeps PostgreSQL walking the index near the end of the list, db/page_keys.hpp: PageEnd). Should the
// rows between have gone since the keys were sampled (a change committed between reading the versions and
// the page: here, the versions put back by hand), the page is read again without that end, still full.
TEST_P(DeepPages, APageWhoseEndBoundWentStaleIsStillFull) {
  one_album_per_artist(1100);
  const char* sql = "SELECT al.id FROM albums al JOIN artists ar ON ar.id = al.artist_id ORDER BY lower(ar.name), "
                    "al.year IS NULL, al.year, lower(al.title), al.id";
  model::AlbumQuery q;
  q.order = model::AlbumOrder::artist;
  q.limit = 50;
  q.offset = 500;
  ASSERT_EQ(ids_of(catalog_->query_albums(q)), ids(sql, 50, 500));  // keys sampled
  {
    auto c = db_.pool().acquire();
    auto versions = c->query("SELECT name, version FROM catalog_totals WHERE name IN ('albums', 'artists')");
    // The albums of artists 0501-0760 gone: the sampled key of row 700, the page's end bound, now has one
    // album before it from the page's start.
    c->query("DELETE FROM albums WHERE artist_id IN (SELECT id FROM artists WHERE name > 'Artist 0500' AND "
             "name <= 'Artist 0760')");
    for (const auto& r : versions.rows)
      c->query("UPDATE catalog_totals SET version = ? WHERE name = ?", {r.integer(1), r.text(0)});
  }
  auto page = ids_of(catalog_->query_albums(q));
  ASSERT_EQ(page.size(), 50u);
  EXPECT_EQ(page, ids(sql, 50, 500));  // rows 0-499 did not move: the stale start is still right
}

// Where a page's end bound comes from: the first column of the sampled key two strides past the page's last
// row (one past it, and one more of slack); none when the list ends before that key.
TEST_P(DeepPages, APageEndsAtTheFirstColumnOfASampledKeyTwoStridesOn) {
  one_album_per_artist(1100);
  const db::KeyedOrder order{"test:by_artist", "albums al JOIN artists ar ON ar.id = al.artist_id",
                             {"lower(ar.name)", "al.id"}, {false, false}, false, {"albums", "artists"}, true,
                             {}, {}, 100};
  db::PageKeys keys;
  auto c = db_.pool().acquire();
  auto end_of = [&](std::int64_t offset, std::int64_t limit) {
    auto s = keys.start(*c, order, offset, limit);
    EXPECT_TRUE(s.has_value()) << offset;
    return s && s->end_first ? std::get<std::string>(*s->end_first) : std::string("(none)");
  };
  EXPECT_EQ(end_of(500, 50), "artist 0700");   // rows 500-549: row 600 is past them, row 700 a stride on
  EXPECT_EQ(end_of(550, 50), "artist 0700");   // rows 550-599
  EXPECT_EQ(end_of(551, 50), "artist 0800");   // rows 551-600 reach row 600
  EXPECT_EQ(end_of(900, 50), "(none)");        // row 1100 does not exist
  EXPECT_EQ(end_of(899, 1), "artist 1000");
  EXPECT_FALSE(keys.start(*c, order, 500, 0)->end_first);  // no length, no end
  db::KeyedOrder one_table = order;
  one_table.seek_first_column = false;
  one_table.name = "test:one_table";
  EXPECT_FALSE(keys.start(*c, one_table, 500, 50)->end_first);  // read without a join: no end needed
}

INSTANTIATE_TEST_SUITE_P(Engines, DeepPages, test::kEngines, [](const auto& info) { return info.param; });
